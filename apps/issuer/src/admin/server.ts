import { chmod, unlink } from 'node:fs/promises'
import Fastify, { type FastifyInstance } from 'fastify'
import { InvalidClientMetadata } from '../clients/register.ts'
import { InvalidUserInput } from '../users/user.ts'
import type { AdminOperations } from './operations.ts'
import { clientDocument, keyDocument, revocationDocument, userDocument } from './wire.ts'

/**
 * The admin API, served on a Unix socket only (never on the network): access to it is access to the
 * socket file, which is created owner-only (0600). It lets `keymint` manage a running issuer, which is
 * the only way in the embedded default, where the issuer process owns the PGlite database.
 */
export async function startAdminServer(ops: AdminOperations, socketPath: string): Promise<FastifyInstance> {
  const app = Fastify({ logger: false })
  app.setErrorHandler((error: Error & { validation?: unknown }, _request, reply) => {
    if (error instanceof InvalidClientMetadata || error.validation) return reply.code(400).send({ error: 'invalid_client_metadata', error_description: error.message })
    if (error instanceof InvalidUserInput) return reply.code(400).send({ error: 'invalid_user', error_description: error.message })
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
      firstParty: { type: 'boolean' },
      refreshTokenCookie: { type: 'boolean' },
      allowedOrigins: strings,
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
  const newUser = {
    type: 'object',
    required: ['email', 'password'],
    additionalProperties: false,
    properties: { email: { type: 'string' }, password: { type: 'string' } },
  }
  app.post('/users', { schema: { body: newUser } }, async (request, reply) => {
    return reply.code(201).send(userDocument(await ops.createUser(request.body as { email: string; password: string })))
  })
  app.get('/users', async () => (await ops.listUsers()).map(userDocument))
  app.post('/users/:ref/disable', async (request, reply) => {
    const user = await ops.disableUser((request.params as { ref: string }).ref)
    if (user === undefined) return reply.code(404).send({ error: 'not_found', error_description: 'no such user' })
    return userDocument(user)
  })
  app.get('/keys', async () => (await ops.listKeys()).map((key) => keyDocument(key, ops.keyPolicy)))
  app.post('/keys/rotate', async (_request, reply) => reply.code(201).send(keyDocument(await ops.rotateKey(), ops.keyPolicy)))
  app.post('/keys/:kid/revoke', async (request, reply) => {
    const revocation = await ops.revokeKey((request.params as { kid: string }).kid)
    if (revocation === undefined) return reply.code(404).send({ error: 'not_found', error_description: 'no such key' })
    return revocationDocument(revocation, ops.keyPolicy)
  })

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
