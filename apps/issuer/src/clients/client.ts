// A registered client and the questions the grants ask of it.

export const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'none'] as const
export type AuthMethod = (typeof AUTH_METHODS)[number]

export const GRANT_TYPES = ['client_credentials', 'authorization_code', 'refresh_token'] as const
export type GrantType = (typeof GRANT_TYPES)[number]

export type Client = {
  id: string
  name: string
  /** Keyed hash of the secret (clients/secret.ts); null for public clients. */
  secretHash: string | null
  authMethod: AuthMethod
  grantTypes: string[]
  scopes: string[]
  /** Resource indicators (RFC 8707) the client may ask for; the first is its default audience. */
  audiences: string[]
  redirectUris: string[]
  /** Skips the consent screen. */
  firstParty: boolean
  /** Browser mode: the refresh token travels in an HttpOnly cookie, not in the JSON body. */
  refreshTokenCookie: boolean
  /** Origins allowed to make cookie-based refresh requests. */
  allowedOrigins: string[]
  createdAt: Date
  updatedAt: Date
}

export type NewClient = Omit<Client, 'createdAt' | 'updatedAt'>

export function allowsGrant(client: Client, grantType: string): boolean {
  return client.grantTypes.includes(grantType)
}

export function defaultAudience(client: Client): string | undefined {
  return client.audiences[0]
}
