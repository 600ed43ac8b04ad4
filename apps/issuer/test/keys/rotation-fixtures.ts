import type { AddressInfo } from 'node:net'
import { decodeProtectedHeader } from 'jose'
import type { Test } from 'tap'
import { buildApp as buildResourceServer } from '../../../resource-server/src/app.ts'
import { discoverJwksUri } from '../../../resource-server/src/bearer-auth/index.ts'
import type { Clock } from '../../src/clock.ts'
import type { Stores } from '../../src/storage/ports.ts'
import { basic, postToken, startTestIssuer, temporaryDir, type TestIssuer } from '../helpers/issuer.ts'
import { sharedStores } from './shared-stores.ts'

// Several issuer instances on one database and KEYS_DIR, the sample resource server in front of them, and
// the few calls the rotation tests make.

export const AUDIENCE = 'https://api.example.com'

/** The sample resource server's answer to a token whose kid is not in the JWKS it holds. */
export const UNKNOWN_KEY = { error: 'invalid_token', error_description: 'The access token is signed with an unknown key' }

export type Instance = TestIssuer & { origin: string }

/**
 * `count` issuer instances on one database and one KEYS_DIR, all with the issuer identifier of the first (as
 * behind a load balancer) and the same clock, started one after the other (or all at once with `together`).
 */
export async function startInstances(
  t: Test,
  count: number,
  options: { clock: Clock; env?: Record<string, string>; together?: boolean },
): Promise<Instance[]> {
  const stores = await sharedStores(t, count)
  const keysDir = await temporaryDir(t, 'keymint-keys-')
  const start = (s: Stores, env: Record<string, string> = {}) =>
    startTestIssuer(t, { stores: s, keysDir, clock: options.clock, env: { ...options.env, ...env } }).then(withOrigin)
  if (options.together) {
    const [first] = stores as [Stores]
    const leader = await start(first)
    const others = await Promise.all(stores.slice(1).map((s) => start(s, { ISSUER: leader.url })))
    return [leader, ...others]
  }
  const instances: Instance[] = []
  for (const s of stores) instances.push(await start(s, instances[0] === undefined ? {} : { ISSUER: instances[0].url }))
  return instances
}

function withOrigin(issuer: TestIssuer): Instance {
  const { port } = issuer.app.server.address() as AddressInfo
  return { ...issuer, origin: `http://127.0.0.1:${port}` }
}

/** The sample resource server, finding the JWKS through the issuer's metadata; closed at teardown. */
export async function startResourceServer(t: Test, issuer: string, cache: { cooldownMs: number; cacheMaxAgeMs: number }): Promise<string> {
  const app = await buildResourceServer({ issuer, audience: AUDIENCE, jwksUri: await discoverJwksUri(issuer), ...cache })
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => app.close())
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
}

export type Client = { id: string; secret: string }

/** A client_credentials token from the instance at `origin`; throws unless the token endpoint says 200. */
export async function mint(origin: string, client: Client): Promise<{ token: string; kid: string }> {
  const res = await postToken(origin, { grant_type: 'client_credentials' }, { authorization: basic(client.id, client.secret) })
  if (res.status !== 200) throw new Error(`token endpoint answered ${res.status}: ${JSON.stringify(res.body)}`)
  const token = res.body.access_token as string
  return { token, kid: decodeProtectedHeader(token).kid as string }
}

/** GET /me at the resource server with the token. */
export async function callResource(resourceServer: string, token: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${resourceServer}/me`, { headers: { authorization: `Bearer ${token}` } })
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

/** The kids in an instance's JWKS, and its ETag. */
export async function published(origin: string): Promise<{ kids: string[]; etag: string; cacheControl: string }> {
  const res = await fetch(`${origin}/.well-known/jwks.json`)
  const { keys } = (await res.json()) as { keys: { kid: string }[] }
  return { kids: keys.map((k) => k.kid), etag: res.headers.get('etag') ?? '', cacheControl: res.headers.get('cache-control') ?? '' }
}
