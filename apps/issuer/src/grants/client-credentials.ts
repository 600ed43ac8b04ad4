import type { Clock } from '../clock.ts'
import type { KeyRing } from '../keys/key-ring.ts'
import { issueAccessToken } from '../tokens/access-token.ts'
import { formatScope } from '../tokens/scope.ts'
import type { Grant } from './grant.ts'
import { grantedScopes, resolveAudience } from './scope-request.ts'

export type ClientCredentialsDeps = { keyRing: KeyRing; clock: Clock; issuer: string; accessTokenTtlSeconds: number }

/** RFC 6749 §4.4: the client acts for itself; sub is its client_id. No refresh token (§4.4.3). */
export function clientCredentialsGrant(deps: ClientCredentialsDeps): Grant {
  return {
    type: 'client_credentials',
    async issue({ client, params }) {
      const scopes = grantedScopes(params.one('scope'), client.scopes)
      const audience = resolveAudience(client, params.many('resource'))
      const { token, expiresIn } = await issueAccessToken(
        { subject: client.id, clientId: client.id, audience, scopes },
        { signer: deps.keyRing.signer(), clock: deps.clock, issuer: deps.issuer, ttlSeconds: deps.accessTokenTtlSeconds },
      )
      const response = { access_token: token, token_type: 'Bearer' as const, expires_in: expiresIn }
      return scopes.length > 0 ? { ...response, scope: formatScope(scopes) } : response
    },
  }
}
