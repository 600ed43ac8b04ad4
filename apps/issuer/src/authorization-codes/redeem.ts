import type { Clock } from '../clock.ts'
import { InvalidGrant } from '../errors.ts'
import { EVENTS } from '../events.ts'
import type { AuditLog, EphemeralStore } from '../storage/ports.ts'
import { denyAccessToken } from '../tokens/denylist.ts'
import { hashToken } from '../tokens/hash.ts'
import { codeKey, redeemedKey, type AuthorizationCodeRecord, type Redeemed } from './code.ts'
import { verifierMatches } from './pkce.ts'

export type RedeemDeps = {
  ephemeral: EphemeralStore
  clock: Clock
  audit: AuditLog
  /** Revokes a refresh-token family that a replayed code's first redemption started. */
  revokeFamily?: ((familyId: string) => Promise<void>) | undefined
}

export type Redemption = { code: string; clientId: string; redirectUri: string | undefined; codeVerifier: string }

/**
 * Takes the code out of the store (exactly one of several concurrent redemptions gets it) and checks it
 * against the token request: same client, same redirect_uri, PKCE S256 verifier (RFC 7636 §4.6). The code
 * is spent by any attempt, right or wrong. A code that was already redeemed revokes what it issued.
 */
export async function redeemAuthorizationCode(request: Redemption, deps: RedeemDeps): Promise<{ hash: string; record: AuthorizationCodeRecord }> {
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
  return { hash, record }
}

/**
 * Written as soon as the first redemption has issued its tokens, kept for as long as they live: until the
 * access token expires, or `untilMs` when a longer-lived refresh-token family was started too.
 */
export async function markRedeemed(
  hash: string,
  issued: Redeemed,
  deps: { ephemeral: EphemeralStore; clock: Clock },
  untilMs = issued.exp * 1000,
): Promise<void> {
  const ttlMs = untilMs - deps.clock.now()
  if (ttlMs > 0) await deps.ephemeral.put(redeemedKey(hash), JSON.stringify(issued), ttlMs)
}

async function revokeOnReplay(hash: string, clientId: string, deps: RedeemDeps): Promise<void> {
  const marker = await deps.ephemeral.get(redeemedKey(hash))
  if (marker === undefined) return
  const issued = JSON.parse(marker) as Redeemed
  await denyAccessToken(issued.jti, issued.exp, deps)
  if (issued.familyId !== undefined && deps.revokeFamily !== undefined) await deps.revokeFamily(issued.familyId)
  await deps.audit.record({
    type: EVENTS.authorizationCodeReplayed,
    clientId,
    detail: { jti: issued.jti, familyId: issued.familyId ?? null },
  })
}
