import type { Client } from '../clients/client.ts'
import type { KeyRecord } from '../keys/key-record.ts'

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
  }
}

export type KeyDocument = {
  kid: string
  state: string
  alg: string
  created_at: string
  activated_at: string | null
  retired_at: string | null
}

export function keyDocument(key: KeyRecord): KeyDocument {
  return {
    kid: key.kid,
    state: key.state,
    alg: key.alg,
    created_at: key.createdAt.toISOString(),
    activated_at: key.activatedAt?.toISOString() ?? null,
    retired_at: key.retiredAt?.toISOString() ?? null,
  }
}
