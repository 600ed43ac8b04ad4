import { EVENTS } from '../events.ts'
import { InvalidGrant, InvalidScope, InvalidTarget, type OAuthError } from '../errors.ts'
import type { AuditLog } from '../storage/ports.ts'
import { hashToken } from '../tokens/hash.ts'
import { randomToken } from '../tokens/random.ts'
import { revokeFamily } from './family.ts'
import { stateOf, type RefreshTokenDeps, type RefreshTokenRecord } from './refresh-token.ts'

export type RotationDeps = RefreshTokenDeps & { audit: AuditLog }

export type PresentedRefreshToken = {
  token: string
  clientId: string
  /** Scopes asked for (a subset of the token's); empty keeps them all. */
  scopes: string[]
  /** Resources asked for (a subset of the token's audiences); empty keeps them all. */
  audiences: string[]
}

/**
 * Spends the presented token and returns its child, in one conditional statement (RefreshTokenStore.rotate):
 * of any number of concurrent presentations exactly one gets a child. When nothing was spent, the stored
 * record says why; a token already spent (outside the grace window) is reuse (RFC 9700 §4.14.2) and
 * revokes its whole family.
 */
export async function rotateRefreshToken(
  presented: PresentedRefreshToken,
  deps: RotationDeps,
): Promise<{ token: string; record: RefreshTokenRecord }> {
  const now = deps.clock.now()
  const { idleSeconds, reuseGraceSeconds } = deps.refreshTokenPolicy
  const hash = hashToken(presented.token)
  const token = randomToken()
  const graceSince = reuseGraceSeconds > 0 ? new Date(now - reuseGraceSeconds * 1000) : null
  const record = await deps.refreshTokens.rotate({
    hash,
    clientId: presented.clientId,
    scopes: presented.scopes,
    audiences: presented.audiences,
    now: new Date(now),
    graceSince,
    next: { hash: hashToken(token), expiresAt: new Date(now + idleSeconds * 1000) },
  })
  if (record !== undefined) return { token, record }
  throw await refusal(hash, presented, graceSince, deps)
}

async function refusal(hash: string, presented: PresentedRefreshToken, graceSince: Date | null, deps: RotationDeps): Promise<OAuthError> {
  const record = await deps.refreshTokens.findByHash(hash)
  // Another client's token is as unknown to this client as a token that never existed.
  if (record === undefined || record.clientId !== presented.clientId) return new InvalidGrant('refresh token is invalid')
  const state = stateOf(record, deps.clock.now())
  // A family revoked as a whole has nothing left to revoke; a token superseded within the grace window has,
  // and whoever presents it is not the client that retried.
  if (state === 'revoked') return reuse(record, deps, new InvalidGrant('refresh token was revoked'))
  if (state === 'expired') return new InvalidGrant('refresh token has expired')
  const inGrace = state === 'used' && graceSince !== null && (record.usedAt as Date) > graceSince
  if (state === 'used' && !inGrace) return reuse(record, deps, new InvalidGrant('refresh token was already used'))

  const scopes = presented.scopes.filter((scope) => !record.scopes.includes(scope))
  if (scopes.length > 0) return new InvalidScope(`scope not granted to this refresh token: ${scopes.join(' ')}`)
  const resources = presented.audiences.filter((audience) => !record.audiences.includes(audience))
  if (resources.length > 0) return new InvalidTarget(`resource not granted to this refresh token: ${resources.join(' ')}`)
  // Spent within the grace window, but its successor has been used since: the client moved on, so this is reuse.
  if (state === 'used') return reuse(record, deps, new InvalidGrant('refresh token was already used'))
  return new InvalidGrant('refresh token is invalid')
}

async function reuse(record: RefreshTokenRecord, deps: RotationDeps, error: OAuthError): Promise<OAuthError> {
  const context = { clientId: record.clientId, userId: record.userId }
  // Of several concurrent reusers, only the one whose update revoked the family records the event.
  if ((await revokeFamily(record.familyId, deps, { reason: 'reuse', ...context })) > 0) {
    await deps.audit.record({
      type: EVENTS.refreshTokenReuseDetected,
      clientId: record.clientId,
      userId: record.userId ?? undefined,
      detail: { familyId: record.familyId, spentAt: record.usedAt?.toISOString() },
    })
  }
  return error
}
