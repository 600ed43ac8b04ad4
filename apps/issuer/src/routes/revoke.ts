import type { FastifyInstance } from 'fastify'
import { authenticateClient, type ClientLookup } from '../clients/authenticate.ts'
import type { SecretHasher } from '../clients/secret.ts'
import { readClientCredentials } from '../plugins/client-auth.ts'
import { formParams } from '../plugins/form-params.ts'
import { revokeToken, type RevokeDeps } from '../tokens/revoke-token.ts'

export type RevokeRouteOptions = { findClient: ClientLookup; hasher: SecretHasher; revoke: RevokeDeps }

/**
 * POST /oauth/revoke (RFC 7009): the client authenticates as at the token endpoint and names a token of its
 * own. The answer is 200 with no body whether or not there was anything to revoke (§2.2).
 */
export async function revokeRoute(app: FastifyInstance, opts: RevokeRouteOptions): Promise<void> {
  app.post('/oauth/revoke', async (request, reply) => {
    const params = formParams(request)
    const client = await authenticateClient(readClientCredentials(request, params), opts)
    const token = params.required('token')
    await revokeToken(token, params.one('token_type_hint'), client.id, opts.revoke)
    return reply.headers({ 'cache-control': 'no-store', pragma: 'no-cache' }).code(200).send()
  })
}
