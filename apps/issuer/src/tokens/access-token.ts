import type { Clock } from '../clock.ts'
import type { Signer } from '../keys/signer.ts'
import { formatScope } from './scope.ts'
import { randomToken } from './random.ts'

export type AccessTokenClaims = {
  subject: string
  clientId: string
  audience: string | string[]
  scopes: string[]
  /** When the user signed in (seconds), for tokens issued on a user's behalf. */
  authTime?: number | undefined
}

export type IssuedAccessToken = { token: string; expiresIn: number; jti: string }

/** An RFC 9068 JWT access token: header typ at+jwt, RS256, kid; claims iss sub aud exp iat jti client_id scope. */
export async function issueAccessToken(
  claims: AccessTokenClaims,
  deps: { signer: Signer; clock: Clock; issuer: string; ttlSeconds: number },
): Promise<IssuedAccessToken> {
  const iat = Math.floor(deps.clock.now() / 1000)
  const jti = randomToken(16)
  const payload: Record<string, unknown> = {
    iss: deps.issuer,
    sub: claims.subject,
    aud: claims.audience,
    exp: iat + deps.ttlSeconds,
    iat,
    jti,
    client_id: claims.clientId,
  }
  if (claims.scopes.length > 0) payload.scope = formatScope(claims.scopes)
  if (claims.authTime !== undefined) payload.auth_time = claims.authTime
  const token = await deps.signer.sign(payload, 'at+jwt')
  return { token, expiresIn: deps.ttlSeconds, jti }
}
