import type { Grant } from './grant.ts'
import { clientCredentialsGrant, type ClientCredentialsDeps } from './client-credentials.ts'

export type GrantDeps = ClientCredentialsDeps

/** Every grant type the token endpoint serves, by its grant_type value. */
export function createGrants(deps: GrantDeps): Map<string, Grant> {
  const grants = [clientCredentialsGrant(deps)]
  return new Map(grants.map((grant) => [grant.type, grant]))
}
