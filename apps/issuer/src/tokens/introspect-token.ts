import type { Clock } from '../clock.ts'
import { findRefreshToken } from '../refresh-tokens/find.ts'
import { stateOf } from '../refresh-tokens/refresh-token.ts'
import type { RefreshTokenStore } from '../storage/ports.ts'
import { formatScope } from './scope.ts'
import type { AccessTokenVerifier } from './verify-access-token.ts'

export type ActiveToken = {
  /**
   * RFC 7662 §2.2 token_type is an access token type (RFC 6749 §7.1): Bearer for our access tokens. A refresh
   * token is not an access token, for which RFC 8693 §3 registered N_A.
   */
  tokenType: 'Bearer' | 'N_A'
  scope: string | undefined
  clientId: string
  sub: string
  aud: string | string[]
  iss: string
  exp: number
  iat: number
  jti: string
}

export type IntrospectDeps = { refreshTokens: RefreshTokenStore; clock: Clock; verifyAccessToken: AccessTokenVerifier; issuer: string }

/**
 * RFC 7662 §2.2: what a live token stands for, or undefined (inactive) for anything else: expired, spent,
 * revoked, denylisted, forged, unknown or garbage. Access tokens are checked the way a resource server checks
 * them and may be introspected by any confidential client (resource servers are registered as confidential
 * clients and must learn about tokens issued to others); a refresh token only by the client it was issued to,
 * since nobody else has any business holding one.
 */
export async function introspectToken(
  token: string,
  hint: string | undefined,
  clientId: string,
  deps: IntrospectDeps,
): Promise<ActiveToken | undefined> {
  const attempts = hint === 'refresh_token' ? [refreshToken, accessToken] : [accessToken, refreshToken]
  for (const attempt of attempts) {
    const active = await attempt(token, clientId, deps)
    if (active !== undefined) return active
  }
  return undefined
}

async function accessToken(token: string, _clientId: string, deps: IntrospectDeps): Promise<ActiveToken | undefined> {
  const verified = await deps.verifyAccessToken(token)
  if (verified === undefined) return undefined
  const { iss, sub, aud, exp, iat, jti, clientId, scope } = verified
  return { tokenType: 'Bearer', scope, clientId, sub, aud, iss, exp, iat, jti }
}

async function refreshToken(token: string, clientId: string, deps: IntrospectDeps): Promise<ActiveToken | undefined> {
  const record = await findRefreshToken(token, deps)
  if (record === undefined || record.clientId !== clientId || stateOf(record, deps.clock.now()) !== 'active') return undefined
  const seconds = (date: Date) => Math.floor(date.getTime() / 1000)
  return {
    tokenType: 'N_A',
    scope: record.scopes.length > 0 ? formatScope(record.scopes) : undefined,
    clientId: record.clientId,
    sub: record.userId ?? record.clientId,
    aud: record.audiences.length === 1 ? (record.audiences[0] as string) : record.audiences,
    iss: deps.issuer,
    exp: seconds(record.expiresAt),
    iat: seconds(record.issuedAt),
    jti: record.hash,
  }
}
