import type { Client } from '../clients/client.ts'
import { registerClient, type ClientRegistration } from '../clients/register.ts'
import type { SecretHasher } from '../clients/secret.ts'
import type { KeyRecord } from '../keys/key-record.ts'
import type { Stores } from '../storage/ports.ts'

/** What an operator can do, as plain functions over the stores: the CLI and the admin socket both call these. */
export type AdminOperations = {
  createClient(input: ClientRegistration): Promise<{ client: Client; secret: string | undefined }>
  listClients(): Promise<Client[]>
  deleteClient(id: string): Promise<boolean>
  listKeys(): Promise<KeyRecord[]>
}

export function createAdminOperations(deps: { stores: Stores; hasher: SecretHasher }): AdminOperations {
  const { stores, hasher } = deps
  return {
    createClient: (input) => registerClient(input, { clients: stores.clients, hasher }),
    listClients: () => stores.clients.list(),
    deleteClient: (id) => stores.clients.delete(id),
    listKeys: () => stores.keys.list(),
  }
}
