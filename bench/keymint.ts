import { execFile } from 'node:child_process'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { ConfigSchema } from '../apps/issuer/src/config.ts'
import { freePort } from '../apps/issuer/test/helpers/free-port.ts'
import { AUDIENCE, SCOPE } from './access-token.ts'
import { startChild, waitForHttp, type Child } from './processes.ts'

// Keymint as production runs it: `apps/issuer/src/main.ts` in a child process of its own (or, for the
// cluster experiment, bench/cluster-issuer.ts forking it), and a client made with the `keymint` CLI.

export const ROOT = fileURLToPath(new URL('..', import.meta.url))
const MAIN = join(ROOT, 'apps/issuer/src/main.ts')
const CLUSTER = join(ROOT, 'bench/cluster-issuer.ts')
const CLI = join(ROOT, 'apps/issuer/bin/keymint.mjs')

export type Storage =
  | { mode: 'embedded' }
  /** PostgreSQL and Redis; every issuer on the same database shares one KEYS_DIR, as in production. */
  | { mode: 'external'; databaseUrl: string; redisUrl: string; keysDir: string }

export type KeymintOptions = {
  label: string
  storage: Storage
  /** A directory of this issuer's own: DATA_DIR (admin socket, PGlite), KEYS_DIR when embedded, its log. */
  dir: string
  /** LOG_LEVEL; undefined leaves the issuer's default. */
  logLevel?: string
  /** Extra node flags for the issuer process, e.g. --cpu-prof. */
  nodeArgs?: string[]
  /** More than one: node:cluster with this many workers (external storage only). */
  workers?: number
}

export type Keymint = {
  label: string
  url: string
  pid: number
  child: Child
  client: { id: string; secret: string }
  /** Runs `keymint <args>` against this issuer's admin socket and returns what it printed. */
  cli(args: string[], stdin?: string): Promise<string>
  stop(): Promise<void>
}

export async function startKeymint(options: KeymintOptions): Promise<Keymint> {
  const workers = options.workers ?? 1
  if (workers > 1 && options.storage.mode !== 'external') throw new Error('a cluster needs external storage (PGlite is single-process)')
  await mkdir(options.dir, { recursive: true })
  const port = await freePort()
  const env = issuerEnv(options, port)
  await mkdir(env.DATA_DIR as string, { recursive: true, mode: 0o700 })
  const args = [...(options.nodeArgs ?? []), '--import', 'tsx', workers > 1 ? CLUSTER : MAIN]
  const child = startChild(`keymint (${options.label})`, process.execPath, args, {
    env: workers > 1 ? { ...env, BENCH_WORKERS: String(workers) } : env,
    logFile: join(options.dir, 'issuer.log'),
    cwd: ROOT,
  })
  const url = `http://127.0.0.1:${port}`
  try {
    await waitForHttp(child, `${url}/healthz`)
    const adminSocket = workers > 1 ? join(env.DATA_DIR as string, 'admin-1.sock') : (env.ADMIN_SOCKET as string)
    const cli = (args: string[], stdin?: string) => runCli({ ...env, ADMIN_SOCKET: adminSocket }, args, stdin)
    const client = await createClient(cli)
    return { label: options.label, url, pid: child.pid, child, client, cli, stop: () => child.stop() }
  } catch (error) {
    await child.stop()
    throw error
  }
}

/** The environment of the issuer: the harness's own, less every Keymint setting, plus the chosen ones. */
function issuerEnv(options: KeymintOptions, port: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env }
  for (const name of Object.keys(ConfigSchema.properties)) delete env[name]
  const dataDir = join(options.dir, 'data')
  Object.assign(env, {
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    ADMIN_SOCKET: join(dataDir, 'admin.sock'),
    KEYS_DIR: options.storage.mode === 'external' ? options.storage.keysDir : join(options.dir, 'keys'),
  })
  if (options.storage.mode === 'external') {
    env.DATABASE_URL = options.storage.databaseUrl
    env.REDIS_URL = options.storage.redisUrl
  }
  if (options.logLevel !== undefined) env.LOG_LEVEL = options.logLevel
  return env
}

/** `keymint clients create --json` through the running issuer's admin socket. */
async function createClient(cli: Keymint['cli']): Promise<{ id: string; secret: string }> {
  const stdout = await cli(['clients', 'create', '--name', 'bench', '--scopes', SCOPE, '--audience', AUDIENCE, '--json'])
  const document = JSON.parse(stdout) as { client_id: string; client_secret: string }
  return { id: document.client_id, secret: document.client_secret }
}

async function runCli(env: NodeJS.ProcessEnv, args: string[], stdin?: string): Promise<string> {
  const running = promisify(execFile)(process.execPath, [CLI, ...args], { env, cwd: ROOT, timeout: 60_000 })
  if (stdin !== undefined) running.child.stdin?.end(stdin)
  return (await running).stdout
}

/** HTTP Basic credentials as RFC 6749 §2.3.1 wants them: each half form-urlencoded first. */
export function basicAuth(id: string, secret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+')
  return `Basic ${Buffer.from(`${encode(id)}:${encode(secret)}`).toString('base64')}`
}
