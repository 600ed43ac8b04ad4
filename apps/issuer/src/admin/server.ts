import { chmod, unlink } from 'node:fs/promises'
import Fastify, { type FastifyInstance } from 'fastify'
import { InvalidClientMetadata } from '../clients/register.ts'
import type { AdminOperations } from './operations.ts'
import { clientDocument, keyDocument } from './wire.ts'

/**
 * The admin API, served on a Unix socket only (never on the network): access to it is access to the
 * socket file, which is created owner-only (0600). It lets `keymint` manage a running issuer, which is
 * the only way in the embedded default, where the issuer process owns the PGlite database.
 */
export async function startAdminServer(ops: AdminOperations, socketPath: string): Promise<FastifyInstance> {
  const app = Fastify({ logger: false })
  app.setErrorHandler((error: Error & { validation?: unknown }, _request, reply) => {
    if (error instanceof InvalidClientMetadata || error.validation) return reply.code(400).send({ error: 'invalid_client_metadata', error_description: error.message })
    return reply.code(500).send({ error: 'server_error', error_description: error.message })
  })
  const strings = { type: 'array', items: { type: 'string' } }
  const registration = {
    type: 'object',
    required: ['name', 'grantTypes', 'scopes', 'audiences'],
    additionalProperties: false,
    properties: {
      name: { type: 'string' },
      grantTypes: strings,
      scopes: strings,
      audiences: strings,
      redirectUris: strings,
      authMethod: { type: 'string' },
    },
  }
  app.post('/clients', { schema: { body: registration } }, async (request, reply) => {
    const { client, secret } = await ops.createClient(request.body as Parameters<AdminOperations['createClient']>[0])
    return reply.code(201).send(clientDocument(client, secret))
  })
  app.get('/clients', async () => (await ops.listClients()).map((client) => clientDocument(client)))
  app.delete('/clients/:id', async (request, reply) => {
    const deleted = await ops.deleteClient((request.params as { id: string }).id)
    return reply.code(deleted ? 204 : 404).send(deleted ? undefined : { error: 'not_found', error_description: 'no such client' })
  })
  app.get('/keys', async () => (await ops.listKeys()).map(keyDocument))

  await unlink(socketPath).catch(() => {})
  const umask = process.umask(0o177)
  try {
    await app.listen({ path: socketPath })
  } finally {
    process.umask(umask)
  }
  await chmod(socketPath, 0o600)
  return app
}
