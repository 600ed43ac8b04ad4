import { request } from 'node:http'
import type { AdminOperations } from '../admin/operations.ts'
import { createAdminOperations } from '../admin/operations.ts'
import type { ClientDocument, KeyDocument, RevocationDocument, UserDocument } from '../admin/wire.ts'
import { clientDocument, keyDocument, revocationDocument, userDocument } from '../admin/wire.ts'
import { createSecretHasher } from '../clients/secret.ts'
import { systemClock } from '../clock.ts'
import type { Config } from '../config.ts'
import { createKeyAdmin } from '../keys/key-admin.ts'
import { readOrCreateSecretFile } from '../keys/key-files.ts'
import { openStores } from '../storage/open.ts'
import { randomToken } from '../tokens/random.ts'

/** The admin operations as documents: the same whether a running issuer serves them or the CLI opens the stores. */
export type AdminConnection = {
  via: 'issuer' | 'storage'
  createClient(input: Parameters<AdminOperations['createClient']>[0]): Promise<ClientDocument>
  listClients(): Promise<ClientDocument[]>
  deleteClient(id: string): Promise<boolean>
  listKeys(): Promise<KeyDocument[]>
  rotateKey(): Promise<KeyDocument>
  /** undefined for an unknown kid. */
  revokeKey(kid: string): Promise<RevocationDocument | undefined>
  createUser(input: { email: string; password: string }): Promise<UserDocument>
  listUsers(): Promise<UserDocument[]>
  /** undefined for no such user. */
  disableUser(ref: string): Promise<UserDocument | undefined>
  close(): Promise<void>
}

export class AdminError extends Error {}

/** Through the running issuer's admin socket when it answers; otherwise straight to storage. */
export async function connectAdmin(config: Config): Promise<AdminConnection> {
  if (await call(config.adminSocket, 'GET', '/clients').then(() => true, () => false)) return remote(config.adminSocket)
  return local(config)
}

function remote(socketPath: string): AdminConnection {
  return {
    via: 'issuer',
    createClient: async (input) => (await call(socketPath, 'POST', '/clients', input)).body as ClientDocument,
    listClients: async () => (await call(socketPath, 'GET', '/clients')).body as ClientDocument[],
    deleteClient: async (id) => (await call(socketPath, 'DELETE', `/clients/${encodeURIComponent(id)}`)).status === 204,
    listKeys: async () => (await call(socketPath, 'GET', '/keys')).body as KeyDocument[],
    rotateKey: async () => (await call(socketPath, 'POST', '/keys/rotate')).body as KeyDocument,
    revokeKey: async (kid) => {
      const { status, body } = await call(socketPath, 'POST', `/keys/${encodeURIComponent(kid)}/revoke`)
      return status === 404 ? undefined : (body as RevocationDocument)
    },
    createUser: async (input) => (await call(socketPath, 'POST', '/users', input)).body as UserDocument,
    listUsers: async () => (await call(socketPath, 'GET', '/users')).body as UserDocument[],
    disableUser: async (ref) => {
      const { status, body } = await call(socketPath, 'POST', `/users/${encodeURIComponent(ref)}/disable`)
      return status === 404 ? undefined : (body as UserDocument)
    },
    close: async () => {},
  }
}

async function local(config: Config): Promise<AdminConnection> {
  const stores = await openStores(config)
  const hasher = createSecretHasher(await readOrCreateSecretFile(config.keysDir, 'client-secret-hmac.key', () => randomToken(32)))
  const keyRing = createKeyAdmin({
    keyStore: stores.keys,
    keysDir: config.keysDir,
    clock: systemClock,
    modulusLength: config.rsaModulusLength,
    policy: config,
  })
  const ops = createAdminOperations({ stores, hasher, keyRing })
  return {
    via: 'storage',
    createClient: async (input) => {
      const { client, secret } = await ops.createClient(input)
      return clientDocument(client, secret)
    },
    listClients: async () => (await ops.listClients()).map((client) => clientDocument(client)),
    deleteClient: (id) => ops.deleteClient(id),
    listKeys: async () => (await ops.listKeys()).map((key) => keyDocument(key, ops.keyPolicy)),
    rotateKey: async () => keyDocument(await ops.rotateKey(), ops.keyPolicy),
    revokeKey: async (kid) => {
      const revocation = await ops.revokeKey(kid)
      return revocation === undefined ? undefined : revocationDocument(revocation, ops.keyPolicy)
    },
    createUser: async (input) => userDocument(await ops.createUser(input)),
    listUsers: async () => (await ops.listUsers()).map(userDocument),
    disableUser: async (ref) => {
      const user = await ops.disableUser(ref)
      return user === undefined ? undefined : userDocument(user)
    },
    close: () => stores.close(),
  }
}

function call(socketPath: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body)
    const req = request(
      { socketPath, method, path, headers: payload ? { 'content-type': 'application/json' } : {} },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => (text += chunk))
        res.on('end', () => {
          const parsed: unknown = text === '' ? undefined : JSON.parse(text)
          const status = res.statusCode ?? 500
          if (status >= 400 && status !== 404) {
            reject(new AdminError((parsed as { error_description?: string })?.error_description ?? `admin API answered ${status}`))
          } else resolve({ status, body: parsed })
        })
      },
    )
    req.on('error', reject)
    req.end(payload)
  })
}
