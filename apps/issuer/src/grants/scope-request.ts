import type { Client } from '../clients/client.ts'
import { isResourceIndicator } from '../clients/register.ts'
import { defaultAudience } from '../clients/client.ts'
import { InvalidScope, InvalidTarget } from '../errors.ts'
import { parseScope } from '../tokens/scope.ts'

/** The scopes to grant: the requested ones if the client may have them all, else all it may have (RFC 6749 §3.3). */
export function grantedScopes(requested: string | undefined, allowed: string[]): string[] {
  if (requested === undefined) return [...allowed]
  const scopes = parseScope(requested)
  if (scopes === undefined) throw new InvalidScope('scope is malformed')
  const refused = scopes.filter((scope) => !allowed.includes(scope))
  if (refused.length > 0) throw new InvalidScope(`scope not allowed for this client: ${refused.join(' ')}`)
  return scopes
}

/** RFC 8707 §2: the `resource` parameters choose the audience among those the client may ask for. */
export function resolveAudience(client: Client, resources: string[]): string | string[] {
  for (const resource of resources) {
    if (!isResourceIndicator(resource)) throw new InvalidTarget('resource must be an absolute URI without a fragment')
    if (!client.audiences.includes(resource)) throw new InvalidTarget(`resource not allowed for this client: ${resource}`)
  }
  const unique = [...new Set(resources)]
  if (unique.length === 1) return unique[0] as string
  if (unique.length > 1) return unique
  const fallback = defaultAudience(client)
  if (fallback === undefined) throw new InvalidTarget('no resource requested and the client has no default audience')
  return fallback
}
