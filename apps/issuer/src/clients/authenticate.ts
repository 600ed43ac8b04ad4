import { InvalidClient } from '../errors.ts'
import type { Client } from './client.ts'
import type { SecretHasher } from './secret.ts'

export type ClientCredentials =
  | { method: 'client_secret_basic' | 'client_secret_post'; clientId: string; secret: string }
  | { method: 'none'; clientId: string }

export type ClientLookup = (id: string) => Promise<Client | undefined>

/**
 * RFC 6749 §2.3: the client must exist and authenticate with the method it registered; any failure is the
 * same invalid_client, so a caller cannot tell an unknown client from a wrong secret.
 */
export async function authenticateClient(
  credentials: ClientCredentials,
  deps: { findClient: ClientLookup; hasher: SecretHasher },
): Promise<Client> {
  const failed = () => new InvalidClient('client authentication failed', { basic: credentials.method === 'client_secret_basic' })
  const client = await deps.findClient(credentials.clientId)
  if (client === undefined || client.authMethod !== credentials.method) throw failed()
  if (credentials.method === 'none') return client
  if (client.secretHash === null || !deps.hasher.verify(credentials.secret, client.secretHash)) throw failed()
  return client
}
