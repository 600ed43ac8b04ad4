import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Writable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import type { Test } from 'tap'
import { createAdminOperations } from '../../src/admin/operations.ts'
import { buildApp } from '../../src/app.ts'
import { systemClock, type Clock } from '../../src/clock.ts'
import type { ClientRegistration } from '../../src/clients/register.ts'
import { loadConfig } from '../../src/config.ts'
import { createDeps, type Deps } from '../../src/deps.ts'
import type { Stores } from '../../src/storage/ports.ts'
import { freePort } from './free-port.ts'
import { openTestStores } from './stores.ts'

export { freePort }

export type TestIssuer = {
  url: string
  deps: Deps
  app: FastifyInstance
  stores: Stores
  keysDir: string
  /** Registers a client through the same operation the CLI uses; returns its id and secret. */
  createClient(input?: Partial<ClientRegistration>): Promise<{ id: string; secret: string }>
}

export type TestIssuerOptions = {
  env?: Record<string, string>
  stores?: Stores
  clock?: Clock
  keysDir?: string
  logStream?: Writable
  /** Listen on this port (e.g. a second issuer process standing in for the first, under the same issuer URL). */
  port?: number
}

/** A real issuer on a loopback port, on real storage, closed at teardown. */
export async function startTestIssuer(t: Test, options: TestIssuerOptions = {}): Promise<TestIssuer> {
  const keysDir = options.keysDir ?? (await temporaryDir(t, 'keymint-keys-'))
  const port = options.port ?? (await freePort())
  const config = loadConfig({ PORT: String(port), KEYS_DIR: keysDir, LOG_LEVEL: 'silent', ...options.env })
  const stores = options.stores ?? (await openTestStores(t))
  const deps = await createDeps(config, stores, options.clock ?? systemClock)
  const app = await buildApp(deps, options.logStream === undefined ? {} : { logStream: options.logStream })
  await app.listen({ port, host: '127.0.0.1' })
  t.teardown(() => app.close())
  const admin = createAdminOperations(deps)
  return {
    url: config.issuer,
    deps,
    app,
    stores,
    keysDir,
    async createClient(input = {}) {
      const { client, secret } = await admin.createClient({
        name: 'test client',
        grantTypes: ['client_credentials'],
        scopes: ['orders:read', 'orders:write'],
        audiences: ['https://api.example.com'],
        ...input,
      })
      return { id: client.id, secret: secret ?? '' }
    },
  }
}

export async function temporaryDir(t: Test, prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  return dir
}

export function basic(id: string, secret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+')
  return `Basic ${Buffer.from(`${encode(id)}:${encode(secret)}`).toString('base64')}`
}

/** POSTs a form to the token endpoint. */
export async function postToken(
  issuer: string,
  form: Record<string, string | string[]>,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const body = new URLSearchParams()
  for (const [name, value] of Object.entries(form)) for (const v of [value].flat()) body.append(name, v)
  const res = await fetch(`${issuer}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body,
  })
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> }
}
