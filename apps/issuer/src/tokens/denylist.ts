import { randomUUID } from 'node:crypto'
import type { Clock } from '../clock.ts'
import type { EphemeralStore, RevokedAccessTokenStore } from '../storage/ports.ts'

// Revoked access tokens, by jti, until the token would have expired anyway. PostgreSQL holds every revocation
// (RevokedAccessTokenStore); the ephemeral store (Redis) answers the checks. Redis may lose everything at
// once (a restart without persistence, a failover), so its answer "not revoked" is trusted only while it holds
// a complete copy, and that is what the two marker keys say:
//
//   denylist:epoch   a random value created by a reload before it reads PostgreSQL;
//   denylist:loaded  set to that same value once every live revocation has been copied in.
//
// A check reads epoch, loaded and the jti, in that order, in one round trip. The copy is complete when
// loaded equals epoch: a restart wipes both, and a reload that began before a restart can only write a loaded
// that no longer matches the new epoch. Anything else is answered by PostgreSQL, and that check also waits for
// the copy to be rebuilt (one rebuild at a time per process, shared by the checks that arrive meanwhile), so
// the checks after it are answered by Redis again. The wait grows with the number of live revocations.
// A revocation is written to PostgreSQL first, then to the ephemeral store, and acknowledged only after both.
// The markers expire every few minutes, so a copy is rebuilt from PostgreSQL at least that often.

export type DenylistDeps = { ephemeral: EphemeralStore; revokedAccessTokens: RevokedAccessTokenStore; clock: Clock }

const EPOCH = 'denylist:epoch'
const LOADED = 'denylist:loaded'
const key = (jti: string) => `denylist:jti:${jti}`
const MARKER_TTL_MS = 5 * 60_000
const PAGE = 1000

export async function denyAccessToken(jti: string, expSeconds: number, deps: DenylistDeps): Promise<void> {
  const now = deps.clock.now()
  const expiresAt = expSeconds * 1000
  if (expiresAt <= now) return
  await deps.revokedAccessTokens.insert(jti, new Date(expiresAt))
  await deps.ephemeral.put(key(jti), '1', expiresAt - now)
}

export async function isAccessTokenDenied(jti: string, deps: DenylistDeps): Promise<boolean> {
  // Issued together, so they travel in one pipeline and are answered by the same Redis, in this order.
  const [epoch, loaded, hit] = await Promise.all([deps.ephemeral.get(EPOCH), deps.ephemeral.get(LOADED), deps.ephemeral.get(key(jti))])
  if (hit !== undefined) return true
  if (epoch !== undefined && loaded === epoch) return false
  const [revoked] = await Promise.all([deps.revokedAccessTokens.isRevoked(jti, new Date(deps.clock.now())), reload(deps)])
  return revoked
}

const reloads = new WeakMap<EphemeralStore, Promise<void>>()

/** Copies every live revocation from PostgreSQL into the ephemeral store; one at a time per store and process. */
function reload(deps: DenylistDeps): Promise<void> {
  let running = reloads.get(deps.ephemeral)
  if (running === undefined) {
    running = copyAll(deps).finally(() => reloads.delete(deps.ephemeral))
    reloads.set(deps.ephemeral, running)
  }
  return running
}

async function copyAll(deps: DenylistDeps): Promise<void> {
  await deps.ephemeral.putIfAbsent(EPOCH, randomUUID(), MARKER_TTL_MS)
  const epoch = await deps.ephemeral.get(EPOCH)
  if (epoch === undefined) return
  let afterJti: string | undefined
  for (;;) {
    const now = deps.clock.now()
    const page = await deps.revokedAccessTokens.listLive({ now: new Date(now), afterJti, limit: PAGE })
    await Promise.all(page.map(({ jti, expiresAt }) => deps.ephemeral.put(key(jti), '1', expiresAt.getTime() - now)))
    if (page.length < PAGE) break
    afterJti = page[page.length - 1]?.jti
  }
  await deps.ephemeral.put(LOADED, epoch, MARKER_TTL_MS)
}
