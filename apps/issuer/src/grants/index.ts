import type { Grant } from './grant.ts'
import { clientCredentialsGrant, type ClientCredentialsDeps } from './client-credentials.ts'
import { authorizationCodeGrant, type AuthorizationCodeDeps } from './authorization-code.ts'
import { refreshTokenGrant, type RefreshTokenGrantDeps } from './refresh-token.ts'

export type GrantDeps = ClientCredentialsDeps & AuthorizationCodeDeps & RefreshTokenGrantDeps

/** Every grant type the token endpoint serves, by its grant_type value. */
export function createGrants(deps: GrantDeps): Map<string, Grant> {
  const grants = [clientCredentialsGrant(deps), authorizationCodeGrant(deps), refreshTokenGrant(deps)]
  return new Map(grants.map((grant) => [grant.type, grant]))
}
