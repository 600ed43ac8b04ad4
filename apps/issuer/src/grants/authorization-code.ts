import { completeRedemption, redeemAuthorizationCode, type RedeemDeps } from '../authorization-codes/redeem.ts'
import { isCodeVerifier } from '../authorization-codes/pkce.ts'
import { allowsGrant } from '../clients/client.ts'
import type { KeyRing } from '../keys/key-ring.ts'
import { InvalidGrant, InvalidRequest, InvalidTarget } from '../errors.ts'
import { issueRefreshToken } from '../refresh-tokens/issue.ts'
import type { RefreshTokenDeps } from '../refresh-tokens/refresh-token.ts'
import type { UserStore } from '../storage/ports.ts'
import { issueAccessToken } from '../tokens/access-token.ts'
import { formatScope } from '../tokens/scope.ts'
import type { Grant } from './grant.ts'

export type AuthorizationCodeDeps = RedeemDeps &
  RefreshTokenDeps & { keyRing: KeyRing; issuer: string; accessTokenTtlSeconds: number; users: Pick<UserStore, 'findById'> }

/**
 * RFC 6749 §4.1.3 with PKCE (RFC 7636 §4.5): the code is exchanged once, by the client it was issued to,
 * with the same redirect_uri and the verifier of its challenge. Confidential clients authenticate as usual;
 * public clients (token_endpoint_auth_method none) send only client_id and prove possession with PKCE.
 * Clients allowed the refresh_token grant also get the first refresh token of a new family.
 */
export function authorizationCodeGrant(deps: AuthorizationCodeDeps): Grant {
  return {
    type: 'authorization_code',
    async issue({ client, params }) {
      const code = params.required('code')
      const codeVerifier = params.one('code_verifier')
      if (codeVerifier === undefined) throw new InvalidRequest('missing parameter code_verifier (PKCE is required)')
      if (!isCodeVerifier(codeVerifier)) throw new InvalidRequest('code_verifier must be 43 to 128 unreserved characters')
      // Before the code is spent: with no signing key the client gets 503 and keeps a usable code.
      const signer = deps.keyRing.signer()
      const redemption = { code, clientId: client.id, redirectUri: params.one('redirect_uri'), codeVerifier }
      const redeemed = await redeemAuthorizationCode(redemption, deps)
      const { record } = redeemed
      // A user disabled since the code was issued gets no tokens from it.
      if ((await deps.users.findById(record.userId))?.status !== 'active') throw new InvalidGrant('the user of this authorization code is no longer active')

      const audience = narrowAudience(record.audience, params.many('resource'))
      const { token, expiresIn, jti } = await issueAccessToken(
        { subject: record.userId, clientId: client.id, audience, scopes: record.scopes, authTime: record.authTime },
        { signer, clock: deps.clock, issuer: deps.issuer, ttlSeconds: deps.accessTokenTtlSeconds },
      )
      // The refresh token keeps the whole grant; `resource` narrows only this access token (RFC 8707 §2.2).
      const refresh = allowsGrant(client, 'refresh_token')
        ? await issueRefreshToken(
            {
              clientId: client.id,
              userId: record.userId,
              scopes: record.scopes,
              audiences: [record.audience].flat(),
              authTime: new Date(record.authTime * 1000),
              familyId: redeemed.familyId,
            },
            deps,
          )
        : undefined
      await completeRedemption(redeemed, { jti, exp: Math.floor(deps.clock.now() / 1000) + expiresIn }, deps)

      const response = { access_token: token, token_type: 'Bearer' as const, expires_in: expiresIn }
      const withRefresh = refresh === undefined ? response : { ...response, refresh_token: refresh.token }
      return record.scopes.length > 0 ? { ...withRefresh, scope: formatScope(record.scopes) } : withRefresh
    },
  }
}

/** RFC 8707 §2.2: at the token endpoint, `resource` may only narrow what the authorization request was granted. */
function narrowAudience(granted: string | string[], resources: string[]): string | string[] {
  if (resources.length === 0) return granted
  const allowed = [granted].flat()
  const refused = resources.filter((resource) => !allowed.includes(resource))
  if (refused.length > 0) throw new InvalidTarget(`resource was not granted by the authorization request: ${refused.join(' ')}`)
  const unique = [...new Set(resources)]
  return unique.length === 1 ? (unique[0] as string) : unique
}
