import { InvalidRequest } from '../errors.ts'
import { revokeFamily, type FamilyDeps } from '../refresh-tokens/family.ts'
import { findRefreshToken } from '../refresh-tokens/find.ts'
import { stateOf } from '../refresh-tokens/refresh-token.ts'
import { denyAccessToken, type DenylistDeps } from './denylist.ts'
import type { AccessTokenVerifier } from './verify-access-token.ts'

export type RevokeDeps = FamilyDeps & DenylistDeps & { verifyAccessToken: AccessTokenVerifier }

type Attempt = (token: string, clientId: string, deps: RevokeDeps) => Promise<boolean>

/**
 * RFC 7009 §2.1: revokes the token if it is one of ours. A refresh token takes its whole family with it; an
 * access token's jti is denied until it expires. A token that is not ours, not live or not a token at all is
 * left alone without an error (§2.2). A live token issued to another client is refused (§2.1: "the request
 * is refused and the client is informed of the error"). token_type_hint only decides which kind is tried
 * first (§2.1: a wrong hint is not an error).
 */
export async function revokeToken(token: string, hint: string | undefined, clientId: string, deps: RevokeDeps): Promise<void> {
  const attempts = hint === 'access_token' ? [revokeAccessToken, revokeRefreshToken] : [revokeRefreshToken, revokeAccessToken]
  for (const attempt of attempts) if (await attempt(token, clientId, deps)) return
}

const notYours = () => new InvalidRequest('the token was issued to another client')

/** True when the token was a refresh token of ours, in whatever state. */
const revokeRefreshToken: Attempt = async (token, clientId, deps) => {
  const record = await findRefreshToken(token, deps)
  if (record === undefined) return false
  if (record.clientId !== clientId) {
    // Revoked or expired, it is an invalid token like any other (§2.2); spent or live, its family is not ours to end.
    if (['revoked', 'expired'].includes(stateOf(record, deps.clock.now()))) return true
    throw notYours()
  }
  await revokeFamily(record.familyId, deps, { reason: 'revocation', clientId, userId: record.userId })
  return true
}

/** True when the token was a live access token of ours. */
const revokeAccessToken: Attempt = async (token, clientId, deps) => {
  const verified = await deps.verifyAccessToken(token)
  if (verified === undefined) return false
  if (verified.clientId !== clientId) throw notYours()
  await denyAccessToken(verified.jti, verified.exp, deps)
  return true
}
