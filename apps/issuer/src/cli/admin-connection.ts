import { request } from 'node:http'
import type { AdminOperations } from '../admin/operations.ts'
import { createAdminOperations } from '../admin/operations.ts'
import type { ClientDocument, KeyDocument } from '../admin/wire.ts'
import { clientDocument, keyDocument } from '../admin/wire.ts'
import { createSecretHasher } from '../clients/secret.ts'
import type { Config } from '../config.ts'
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
    close: async () => {},
  }
}

async function local(config: Config): Promise<AdminConnection> {
  const stores = await openStores(config)
  const hasher = createSecretHasher(await readOrCreateSecretFile(config.keysDir, 'client-secret-hmac.key', () => randomToken(32)))
  const ops = createAdminOperations({ stores, hasher })
  return {
    via: 'storage',
    createClient: async (input) => {
      const { client, secret } = await ops.createClient(input)
      return clientDocument(client, secret)
    },
    listClients: async () => (await ops.listClients()).map((client) => clientDocument(client)),
    deleteClient: (id) => ops.deleteClient(id),
    listKeys: async () => (await ops.listKeys()).map(keyDocument),
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
