import { createLocalJWKSet, errors, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose'
import type { Clock } from '../clock.ts'
import type { PublishedJwks } from '../keys/jwks.ts'
import { isAccessTokenDenied, type DenylistDeps } from './denylist.ts'

export type VerifiedAccessToken = {
  iss: string
  sub: string
  aud: string | string[]
  exp: number
  iat: number
  jti: string
  clientId: string
  scope: string | undefined
}

/** Undefined for anything that is not a live access token of ours; throws only when the denylist cannot be read. */
export type AccessTokenVerifier = (token: string) => Promise<VerifiedAccessToken | undefined>

export type VerifyDeps = DenylistDeps & { jwks: () => PublishedJwks; issuer: string; clock: Clock }

/**
 * The check a resource server should make (RFC 9068 §4), against the issuer's own published keys: RS256 only,
 * typ at+jwt, our issuer, a kid we publish, exp/iat/jti/sub/aud/client_id present, unexpired by our clock;
 * then the denylist of revoked jtis.
 */
export function createAccessTokenVerifier(deps: VerifyDeps): AccessTokenVerifier {
  let cached: { etag: string; keys: ReturnType<typeof createLocalJWKSet> } | undefined
  const keys = () => {
    const { body, etag } = deps.jwks()
    if (cached?.etag !== etag) cached = { etag, keys: createLocalJWKSet(JSON.parse(body) as JSONWebKeySet) }
    return cached.keys
  }

  return async (token) => {
    let payload: JWTPayload
    try {
      ;({ payload } = await jwtVerify(
        token,
        (header, jws) => {
          // Without a kid, jose would take the set's only key: accept only the keys we name.
          if (typeof header.kid !== 'string') throw new errors.JWKSNoMatchingKey()
          return keys()(header, jws)
        },
        {
          algorithms: ['RS256'],
          typ: 'at+jwt',
          issuer: deps.issuer,
          requiredClaims: ['exp', 'iat', 'jti', 'sub', 'aud', 'client_id'],
          currentDate: new Date(deps.clock.now()),
        },
      ))
    } catch (error) {
      if (error instanceof errors.JOSEError || error instanceof TypeError) return undefined
      throw error
    }
    const { jti, sub, aud, exp, iat, client_id: clientId, scope } = payload
    if (typeof jti !== 'string' || typeof sub !== 'string' || typeof clientId !== 'string') return undefined
    if (scope !== undefined && typeof scope !== 'string') return undefined
    if (await isAccessTokenDenied(jti, deps)) return undefined
    return { iss: deps.issuer, sub, aud: aud as string | string[], exp: exp as number, iat: iat as number, jti, clientId, scope }
  }
}
