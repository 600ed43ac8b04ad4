import type { Clock } from '../clock.ts'
import { InvalidGrant } from '../errors.ts'
import { EVENTS } from '../events.ts'
import type { AuditLog, EphemeralStore, RefreshTokenStore, RevokedAccessTokenStore } from '../storage/ports.ts'
import { denyAccessToken } from '../tokens/denylist.ts'
import { hashToken } from '../tokens/hash.ts'
import { CODE_TTL_SECONDS, codeKey, familyIdOf, redeemedKey, replayedKey, type AuthorizationCodeRecord, type Redeemed } from './code.ts'
import { verifierMatches } from './pkce.ts'

export type RedeemDeps = {
  ephemeral: EphemeralStore
  clock: Clock
  audit: AuditLog
  /** Where a replayed code's refresh-token family is revoked. */
  refreshTokens: RefreshTokenStore
  /** Where a replayed code's access token is revoked durably (tokens/denylist.ts). */
  revokedAccessTokens: RevokedAccessTokenStore
}

export type Redemption = { code: string; clientId: string; redirectUri: string | undefined; codeVerifier: string }

/** A code taken and checked: its hash, what it was bound to, and the id its refresh-token family must have. */
export type RedeemedCode = { hash: string; record: AuthorizationCodeRecord; familyId: string }

/**
 * Takes the code out of the store (exactly one of several concurrent redemptions gets it) and checks it
 * against the token request: same client, same redirect_uri, PKCE S256 verifier (RFC 7636 §4.6). The code
 * is spent by any attempt, right or wrong. A code that was already taken revokes what it issued.
 */
export async function redeemAuthorizationCode(request: Redemption, deps: RedeemDeps): Promise<RedeemedCode> {
  const hash = hashToken(request.code)
  const stored = await deps.ephemeral.take(codeKey(hash))
  if (stored === undefined) {
    await revokeOnReplay(hash, request.clientId, deps)
    throw new InvalidGrant('authorization code is invalid, expired or already used')
  }
  const record = JSON.parse(stored) as AuthorizationCodeRecord
  if (record.expiresAt <= deps.clock.now()) throw new InvalidGrant('authorization code has expired')
  if (record.clientId !== request.clientId) throw new InvalidGrant('authorization code was issued to another client')
  if (record.redirectUriSent && request.redirectUri === undefined) throw new InvalidGrant('redirect_uri is required: the authorization request had one')
  if (request.redirectUri !== undefined && request.redirectUri !== record.redirectUri) {
    throw new InvalidGrant('redirect_uri does not match the authorization request')
  }
  if (!verifierMatches(request.codeVerifier, record.codeChallenge)) throw new InvalidGrant('code_verifier does not match the code_challenge')
  return { hash, record, familyId: familyIdOf(hash) }
}

/**
 * Called once the redemption has issued its tokens (the refresh token, if any, already in its family): leaves
 * the access token's jti for a later replay to deny, then looks whether a replay came while the tokens were
 * being made. Each side writes before it reads, so of a redemption and a concurrent replay at least one sees
 * the other; if it is this one, what it issued is revoked and the client gets invalid_grant, not dead tokens.
 */
export async function completeRedemption(code: RedeemedCode, issued: Redeemed, deps: RedeemDeps): Promise<void> {
  const ttlMs = issued.exp * 1000 - deps.clock.now()
  if (ttlMs > 0) await deps.ephemeral.put(redeemedKey(code.hash), JSON.stringify(issued), ttlMs)
  if ((await deps.ephemeral.get(replayedKey(code.hash))) === undefined) return
  const tokens = await revokeIssued(code.hash, issued, deps)
  await deps.audit.record({
    type: EVENTS.authorizationCodeReplayed,
    clientId: code.record.clientId,
    userId: code.record.userId,
    detail: { jti: issued.jti, familyId: code.familyId, refreshTokensRevoked: tokens, during: 'redemption' },
  })
  throw new InvalidGrant('authorization code was used more than once')
}

async function revokeOnReplay(hash: string, clientId: string, deps: RedeemDeps): Promise<void> {
  await deps.ephemeral.put(replayedKey(hash), '1', CODE_TTL_SECONDS * 1000)
  const marker = await deps.ephemeral.get(redeemedKey(hash))
  const issued = marker === undefined ? undefined : (JSON.parse(marker) as Redeemed)
  const tokens = await revokeIssued(hash, issued, deps)
  if (issued === undefined && tokens === 0) return
  await deps.audit.record({
    type: EVENTS.authorizationCodeReplayed,
    clientId,
    detail: { jti: issued?.jti ?? null, familyId: familyIdOf(hash), refreshTokensRevoked: tokens },
  })
}

/** Denies the access token (when known) and revokes the code's refresh-token family; returns how many refresh tokens. */
async function revokeIssued(hash: string, issued: Redeemed | undefined, deps: RedeemDeps): Promise<number> {
  if (issued !== undefined) await denyAccessToken(issued.jti, issued.exp, deps)
  return deps.refreshTokens.revokeFamily(familyIdOf(hash), new Date(deps.clock.now()))
}
