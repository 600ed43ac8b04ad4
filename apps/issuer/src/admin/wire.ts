import type { Client } from '../clients/client.ts'
import type { User } from '../users/user.ts'
import type { Revocation } from '../keys/key-admin.ts'
import { publishedUntil, type KeyRecord } from '../keys/key-record.ts'
import { activatesAt, type RotationPolicy } from '../keys/rotation.ts'

// How clients and keys look outside the process: RFC 7591 field names for clients.

export type ClientDocument = {
  client_id: string
  client_secret?: string
  client_name: string
  grant_types: string[]
  scope: string
  audiences: string[]
  redirect_uris: string[]
  token_endpoint_auth_method: string
  client_id_issued_at: number
  /** Browser mode only: the refresh token travels in an HttpOnly cookie, from these origins. */
  refresh_token_cookie?: true
  allowed_origins?: string[]
}

export function clientDocument(client: Client, secret?: string): ClientDocument {
  return {
    client_id: client.id,
    ...(secret === undefined ? {} : { client_secret: secret }),
    client_name: client.name,
    grant_types: client.grantTypes,
    scope: client.scopes.join(' '),
    audiences: client.audiences,
    redirect_uris: client.redirectUris,
    token_endpoint_auth_method: client.authMethod,
    client_id_issued_at: Math.floor(client.createdAt.getTime() / 1000),
    ...(client.refreshTokenCookie ? { refresh_token_cookie: true as const } : {}),
    ...(client.allowedOrigins.length > 0 ? { allowed_origins: client.allowedOrigins } : {}),
  }
}

export type KeyDocument = {
  kid: string
  state: string
  alg: string
  created_at: string
  activated_at: string | null
  retired_at: string | null
  /** A staged key: when it starts signing. */
  activates_at: string | null
  /** A retired or revoked key: when it leaves (left) the JWKS. Null while there is no end yet. */
  published_until: string | null
}

/** `policy` (the issuer's key timings) gives activates_at and published_until; without it they are null. */
export function keyDocument(key: KeyRecord, policy: RotationPolicy | undefined): KeyDocument {
  return {
    kid: key.kid,
    state: key.state,
    alg: key.alg,
    created_at: key.createdAt.toISOString(),
    activated_at: key.activatedAt?.toISOString() ?? null,
    retired_at: key.retiredAt?.toISOString() ?? null,
    activates_at: (policy && activatesAt(key, policy)?.toISOString()) ?? null,
    published_until: (policy && publishedUntil(key, policy)?.toISOString()) ?? null,
  }
}

export type RevocationDocument = {
  revoked: KeyDocument
  previous_state: string
  /** The key that became active because the revoked one was. */
  activated: KeyDocument | null
}

export function revocationDocument(revocation: Revocation, policy: RotationPolicy | undefined): RevocationDocument {
  return {
    revoked: keyDocument(revocation.key, policy),
    previous_state: revocation.previousState,
    activated: revocation.activated === undefined ? null : keyDocument(revocation.activated, policy),
  }
}

export type UserDocument = { user_id: string; email: string; status: string; created_at: string }

/** A user as the CLI shows it: never the password hash. */
export function userDocument(user: User): UserDocument {
  return { user_id: user.id, email: user.email, status: user.status, created_at: user.createdAt.toISOString() }
}
