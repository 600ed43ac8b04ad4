import { randomBytes } from 'node:crypto'
import type { ClientStore } from '../storage/ports.ts'
import { AUTH_METHODS, GRANT_TYPES, type AuthMethod, type Client } from './client.ts'
import { redirectUriProblem } from './redirect-uri.ts'
import { generateSecret, type SecretHasher } from './secret.ts'
import { isScopeToken } from '../tokens/scope.ts'

export type ClientRegistration = {
  name: string
  grantTypes: string[]
  scopes: string[]
  audiences: string[]
  authMethod?: AuthMethod
  redirectUris?: string[]
  firstParty?: boolean
  refreshTokenCookie?: boolean
  allowedOrigins?: string[]
}

export class InvalidClientMetadata extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'InvalidClientMetadata'
  }
}

/** Registers a client and returns it with its secret, which exists in clear only in this return value. */
export async function registerClient(
  input: ClientRegistration,
  deps: { clients: ClientStore; hasher: SecretHasher },
): Promise<{ client: Client; secret: string | undefined }> {
  const authMethod = input.authMethod ?? 'client_secret_basic'
  check(input, authMethod)
  const secret = authMethod === 'none' ? undefined : generateSecret()
  const client = await deps.clients.insert({
    id: randomBytes(16).toString('base64url'),
    name: input.name,
    secretHash: secret === undefined ? null : deps.hasher.hash(secret),
    authMethod,
    grantTypes: unique(input.grantTypes),
    scopes: unique(input.scopes),
    audiences: unique(input.audiences),
    redirectUris: unique(input.redirectUris ?? []),
    firstParty: input.firstParty ?? false,
    refreshTokenCookie: input.refreshTokenCookie ?? false,
    allowedOrigins: unique(input.allowedOrigins ?? []),
  })
  return { client, secret }
}

function check(input: ClientRegistration, authMethod: string): void {
  if (input.name.trim() === '') throw new InvalidClientMetadata('name must not be empty')
  if (!(AUTH_METHODS as readonly string[]).includes(authMethod)) {
    throw new InvalidClientMetadata(`token_endpoint_auth_method must be one of ${AUTH_METHODS.join(', ')}`)
  }
  if (input.grantTypes.length === 0) throw new InvalidClientMetadata('at least one grant type is required')
  for (const grant of input.grantTypes) {
    if (!(GRANT_TYPES as readonly string[]).includes(grant)) {
      throw new InvalidClientMetadata(`unsupported grant type ${grant}; supported: ${GRANT_TYPES.join(', ')}`)
    }
  }
  if (authMethod === 'none' && input.grantTypes.includes('client_credentials')) {
    throw new InvalidClientMetadata('client_credentials needs a confidential client (not token_endpoint_auth_method none)')
  }
  if (authMethod === 'none' && !input.grantTypes.includes('authorization_code')) {
    throw new InvalidClientMetadata('a public client (token_endpoint_auth_method none) must use the authorization_code grant')
  }
  checkRedirectUris(input.redirectUris ?? [], input.grantTypes.includes('authorization_code'))
  for (const scope of input.scopes) {
    if (!isScopeToken(scope)) throw new InvalidClientMetadata(`invalid scope ${JSON.stringify(scope)}`)
  }
  if (input.audiences.length === 0) throw new InvalidClientMetadata('at least one audience (resource indicator) is required')
  for (const audience of input.audiences) {
    if (!isResourceIndicator(audience)) {
      throw new InvalidClientMetadata(`audience ${JSON.stringify(audience)} must be an absolute URI without a fragment`)
    }
  }
  for (const origin of input.allowedOrigins ?? []) {
    if (!isOrigin(origin)) throw new InvalidClientMetadata(`allowed origin ${JSON.stringify(origin)} must be a scheme, host and optional port`)
  }
  if (input.refreshTokenCookie === true) {
    if (!input.grantTypes.includes('refresh_token')) throw new InvalidClientMetadata('the refresh token cookie needs the refresh_token grant')
    if ((input.allowedOrigins ?? []).length === 0) {
      throw new InvalidClientMetadata('the refresh token cookie needs at least one allowed origin (its CSRF check)')
    }
  }
}

/** A web origin as browsers send it in the Origin header: http(s), host, optional port, nothing else. */
function isOrigin(value: string): boolean {
  try {
    const url = new URL(value)
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value
  } catch {
    return false
  }
}

function checkRedirectUris(uris: string[], authorizationCode: boolean): void {
  if (authorizationCode && uris.length === 0) throw new InvalidClientMetadata('the authorization_code grant needs at least one redirect URI')
  if (!authorizationCode && uris.length > 0) throw new InvalidClientMetadata('redirect URIs are only used by the authorization_code grant')
  for (const uri of uris) {
    const problem = redirectUriProblem(uri)
    if (problem !== undefined) throw new InvalidClientMetadata(`redirect URI ${JSON.stringify(uri)} ${problem}`)
  }
}

/** RFC 8707 §2: an absolute URI with no fragment. */
export function isResourceIndicator(value: string): boolean {
  if (value.includes('#')) return false
  try {
    return new URL(value).protocol.length > 1
  } catch {
    return false
  }
}

function unique(values: string[]): string[] {
  return [...new Set(values)]
}
