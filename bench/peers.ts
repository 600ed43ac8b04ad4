import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { freePort } from '../apps/issuer/test/helpers/free-port.ts'
import { AUDIENCE, SCOPE } from './access-token.ts'
import { ROOT } from './keymint.ts'
import { startChild, waitForHttp, type Child } from './processes.ts'

// The other servers of the run, each a child process: the bare Fastify ceiling and oidc-provider.

export type Peer = { url: string; pid: number; child: Child; stop(): Promise<void> }

/** Bare Fastify serving `body` at /static.json. */
export async function startBareFastify(dir: string, body: string): Promise<Peer> {
  const port = await freePort()
  const child = startChild('bare fastify', process.execPath, ['--import', 'tsx', join(ROOT, 'bench/peers/bare-fastify.ts')], {
    env: { ...process.env, PORT: String(port), BODY: body },
    logFile: join(dir, 'bare-fastify.log'),
    cwd: ROOT,
  })
  const url = `http://127.0.0.1:${port}`
  await ready(child, `${url}/static.json`)
  return { url, pid: child.pid, child, stop: () => child.stop() }
}

export type OidcProviderPeer = Peer & { client: { id: string; secret: string } }

/** oidc-provider with one client_secret_basic client; the token endpoint is /token, the JWKS /jwks. */
export async function startOidcProvider(dir: string): Promise<OidcProviderPeer> {
  const port = await freePort()
  const client = { id: 'bench-client', secret: randomBytes(32).toString('base64url') }
  const child = startChild('oidc-provider', process.execPath, ['--import', 'tsx', join(ROOT, 'bench/peers/oidc-provider.ts')], {
    env: { ...process.env, NODE_ENV: 'production', PORT: String(port), CLIENT_ID: client.id, CLIENT_SECRET: client.secret, AUDIENCE, SCOPE },
    logFile: join(dir, 'oidc-provider.log'),
    cwd: ROOT,
  })
  const url = `http://127.0.0.1:${port}`
  await ready(child, `${url}/jwks`)
  return { url, pid: child.pid, child, client, stop: () => child.stop() }
}

async function ready(child: Child, url: string): Promise<void> {
  try {
    await waitForHttp(child, url)
  } catch (error) {
    await child.stop()
    throw error
  }
}
