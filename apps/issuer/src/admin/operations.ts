import type { Client } from '../clients/client.ts'
import type { ClientCache } from '../clients/client-cache.ts'
import { registerClient, type ClientRegistration } from '../clients/register.ts'
import type { SecretHasher } from '../clients/secret.ts'
import type { KeyAdmin, Revocation } from '../keys/key-admin.ts'
import type { KeyRecord } from '../keys/key-record.ts'
import type { RotationPolicy } from '../keys/rotation.ts'
import type { Stores } from '../storage/ports.ts'
import { registerUser } from '../users/register.ts'
import type { User } from '../users/user.ts'
import { EVENTS } from '../events.ts'

/** What an operator can do, as plain functions over the stores: the CLI and the admin socket both call these. */
export type AdminOperations = {
  createClient(input: ClientRegistration): Promise<{ client: Client; secret: string | undefined }>
  listClients(): Promise<Client[]>
  deleteClient(id: string): Promise<boolean>
  listKeys(): Promise<KeyRecord[]>
  createUser(input: { email: string; password: string }): Promise<User>
  listUsers(): Promise<User[]>
  /** By id, or by e-mail address when the reference has an @; undefined for no such user. */
  disableUser(ref: string): Promise<User | undefined>
  /** The timings behind each key's activation and end of publication; undefined without a key admin. */
  keyPolicy: RotationPolicy | undefined
  /** Stages a new signing key now; it signs once its wait is over. */
  rotateKey(): Promise<KeyRecord>
  /** Takes a key out of the JWKS now; undefined for an unknown kid. */
  revokeKey(kid: string): Promise<Revocation | undefined>
}

/**
 * `clientCache`: the running issuer's cache of client records, forgotten for a client that changes here.
 * `keyRing`: the running issuer's key ring (so a rotation shows in its JWKS at once), or the CLI's KeyAdmin.
 */
export function createAdminOperations(deps: {
  stores: Stores
  hasher: SecretHasher
  clientCache?: ClientCache
  keyRing?: KeyAdmin
}): AdminOperations {
  const { stores, hasher, clientCache, keyRing } = deps
  const keys = () => {
    if (keyRing === undefined) throw new Error('key operations need a key ring')
    return keyRing
  }
  return {
    async createClient(input) {
      const created = await registerClient(input, { clients: stores.clients, hasher })
      clientCache?.invalidate(created.client.id)
      return created
    },
    listClients: () => stores.clients.list(),
    async deleteClient(id) {
      const deleted = await stores.clients.delete(id)
      clientCache?.invalidate(id)
      return deleted
    },
    listKeys: () => stores.keys.list(),
    createUser: (input) => registerUser(input, { users: stores.users }),
    listUsers: () => stores.users.list(),
    async disableUser(ref) {
      const user = ref.includes('@') ? await stores.users.findByEmail(ref) : await stores.users.findById(ref)
      if (user === undefined || !(await stores.users.setStatus(user.id, 'disabled'))) return undefined
      return { ...user, status: 'disabled' }
    },
    keyPolicy: keyRing?.policy,
    async rotateKey() {
      const key = await keys().rotate()
      await stores.audit.record({ type: EVENTS.keyRotated, detail: { kid: key.kid, state: key.state } })
      return key
    },
    async revokeKey(kid) {
      const revocation = await keys().revoke(kid)
      if (revocation !== undefined && revocation.previousState !== 'revoked') {
        const detail = { kid, previousState: revocation.previousState, activated: revocation.activated?.kid ?? null }
        await stores.audit.record({ type: EVENTS.keyRevoked, detail })
      }
      return revocation
    },
  }
}
