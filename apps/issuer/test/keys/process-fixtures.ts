import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createServer, request } from 'node:http'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import type { Test } from 'tap'
import { createTestDatabase, REDIS_URL } from '../helpers/databases.ts'
import { freePort, temporaryDir } from '../helpers/issuer.ts'
import { cleanEnv, runKeymint, startIssuerProcess, type CommandResult, type IssuerProcess } from '../helpers/processes.ts'

// Real processes for the rotation tests: issuer instances on one PostgreSQL database, one Redis and one
// KEYS_DIR, a round-robin load balancer in front of them, the sample resource server, and the keymint command.

const RESOURCE_SERVER = fileURLToPath(new URL('../../../resource-server/src/main.ts', import.meta.url))

export type Deployment = {
  /** The issuer identifier: the load balancer's URL. */
  issuer: string
  instances: (IssuerProcess & { origin: string; adminSocket: string })[]
  /** `keymint ...` through the given instance's admin socket, or straight on storage with `via: 'storage'`. */
  keymint(args: string[], via: number | 'storage'): Promise<CommandResult>
}

/** `count` issuer processes on a fresh database and a shared KEYS_DIR, behind a round-robin load balancer. */
export async function startDeployment(t: Test, count: number, env: Record<string, string>): Promise<Deployment> {
  const keysDir = await temporaryDir(t, 'keymint-keys-')
  const runDir = await temporaryDir(t, 'keymint-run-')
  const balancerPort = await freePort()
  const issuer = `http://127.0.0.1:${balancerPort}`
  const shared = {
    DATABASE_URL: await createTestDatabase(t),
    REDIS_URL,
    KEYS_DIR: keysDir,
    ISSUER: issuer,
    LOG_LEVEL: 'info',
    ...env,
  }
  const instances: Deployment['instances'] = []
  // One after the other: the first applies the migrations and makes the first key.
  for (let i = 0; i < count; i++) {
    const port = await freePort()
    const adminSocket = join(runDir, `admin-${i}.sock`)
    const started = await startIssuerProcess(t, { ...shared, PORT: String(port), DATA_DIR: join(runDir, `data-${i}`), ADMIN_SOCKET: adminSocket })
    instances.push({ ...started, origin: `http://127.0.0.1:${port}`, adminSocket })
  }
  await startBalancer(t, balancerPort, instances.map((i) => i.origin))
  return {
    issuer,
    instances,
    keymint: (args, via) =>
      runKeymint(args, { ...shared, ADMIN_SOCKET: via === 'storage' ? join(runDir, 'no-issuer.sock') : (instances[via]?.adminSocket ?? '') }),
  }
}

/** A round-robin HTTP load balancer on `port`: each request goes to the next origin in turn. */
async function startBalancer(t: Test, port: number, origins: string[]): Promise<void> {
  let next = 0
  const server = createServer((incoming, outgoing) => {
    const target = new URL(incoming.url ?? '/', origins[next++ % origins.length])
    const forwarded = request(target, { method: incoming.method, headers: incoming.headers }, (response) => {
      outgoing.writeHead(response.statusCode ?? 502, response.headers)
      response.pipe(outgoing)
    })
    forwarded.on('error', () => outgoing.writeHead(502).end())
    incoming.pipe(forwarded)
  })
  server.keepAliveTimeout = 1000
  server.listen(port, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })
}

/** The sample resource server as its own process (defaults: JWKS cache 600 s, unknown-kid cooldown 30 s). */
export async function startResourceServerProcess(t: Test, env: { ISSUER: string; AUDIENCE: string }): Promise<string> {
  const port = await freePort()
  const child = spawn(process.execPath, ['--import', 'tsx', RESOURCE_SERVER], {
    env: cleanEnv({ ...env, PORT: String(port) }),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  t.teardown(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGTERM')
    await once(child, 'exit')
  })
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.includes('"resource server ready"')) resolve()
    })
    child.once('exit', (code) => reject(new Error(`resource server exited with ${code}: ${stderr}`)))
  })
  return `http://127.0.0.1:${port}`
}

/** Calls `check` until it returns a value other than undefined; fails after `ms`. */
export async function pollFor<T>(what: string, ms: number, check: () => Promise<T | undefined>): Promise<{ value: T; ms: number }> {
  const started = performance.now()
  while (performance.now() - started < ms) {
    const value = await check()
    if (value !== undefined) return { value, ms: Math.round(performance.now() - started) }
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  throw new Error(`${what}: not within ${ms} ms`)
}
