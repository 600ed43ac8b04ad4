import type { EphemeralStore } from '../storage/ports.ts'
import { revokeFamily, type FamilyDeps } from '../refresh-tokens/family.ts'
import { findRefreshToken } from '../refresh-tokens/find.ts'
import { denyAccessToken } from './denylist.ts'
import type { AccessTokenVerifier } from './verify-access-token.ts'

export type RevokeDeps = FamilyDeps & { verifyAccessToken: AccessTokenVerifier; ephemeral: EphemeralStore }

type Attempt = (token: string, clientId: string, deps: RevokeDeps) => Promise<boolean>

/**
 * RFC 7009 §2.1: revokes the token if it is one of ours and belongs to the client asking; anything else is
 * left alone without an error. A refresh token takes its whole family with it; an access token's jti is
 * denied until it expires. token_type_hint only decides which kind is tried first (§2.1: a wrong hint is
 * not an error).
 */
export async function revokeToken(token: string, hint: string | undefined, clientId: string, deps: RevokeDeps): Promise<void> {
  const attempts = hint === 'access_token' ? [revokeAccessToken, revokeRefreshToken] : [revokeRefreshToken, revokeAccessToken]
  for (const attempt of attempts) if (await attempt(token, clientId, deps)) return
}

/** True when the token was a refresh token, whoever it belongs to. */
const revokeRefreshToken: Attempt = async (token, clientId, deps) => {
  const record = await findRefreshToken(token, deps)
  if (record === undefined) return false
  if (record.clientId === clientId) await revokeFamily(record.familyId, deps, { reason: 'revocation', clientId, userId: record.userId })
  return true
}

/** True when the token was a live access token of ours, whoever it belongs to. */
const revokeAccessToken: Attempt = async (token, clientId, deps) => {
  const verified = await deps.verifyAccessToken(token)
  if (verified === undefined) return false
  if (verified.clientId === clientId) await denyAccessToken(verified.jti, verified.exp, deps)
  return true
}
