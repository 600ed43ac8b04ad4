import type { FastifyInstance } from 'fastify'
import { authenticateClient, type ClientLookup } from '../clients/authenticate.ts'
import type { SecretHasher } from '../clients/secret.ts'
import { InvalidClient } from '../errors.ts'
import { readClientCredentials } from '../plugins/client-auth.ts'
import { formParams } from '../plugins/form-params.ts'
import { introspectToken, type IntrospectDeps } from '../tokens/introspect-token.ts'

export type IntrospectRouteOptions = { findClient: ClientLookup; hasher: SecretHasher; introspect: IntrospectDeps }

/**
 * POST /oauth/introspect (RFC 7662): for a confidential client, { active: true, ... } for a live token, and
 * { active: false } alone for anything else, so nothing is learnt about tokens that do not work. Never cached.
 */
export async function introspectRoute(app: FastifyInstance, opts: IntrospectRouteOptions): Promise<void> {
  app.post('/oauth/introspect', async (request, reply) => {
    const params = formParams(request)
    const credentials = readClientCredentials(request, params)
    const client = await authenticateClient(credentials, opts)
    // §2.1 wants the caller authorized: a public client's id alone proves nothing.
    if (client.authMethod === 'none') throw new InvalidClient('introspection needs an authenticated client', { basic: false })
    const token = params.required('token')
    const active = await introspectToken(token, params.one('token_type_hint'), client.id, opts.introspect)
    reply.headers({ 'cache-control': 'no-store', pragma: 'no-cache' })
    if (active === undefined) return reply.send({ active: false })
    const { tokenType, scope, clientId, sub, aud, iss, exp, iat, jti } = active
    return reply.send({ active: true, ...(scope === undefined ? {} : { scope }), client_id: clientId, token_type: tokenType, sub, aud, iss, exp, iat, jti })
  })
}
