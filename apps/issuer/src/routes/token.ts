import type { FastifyInstance } from 'fastify'
import { authenticateClient, type ClientLookup } from '../clients/authenticate.ts'
import { allowsGrant } from '../clients/client.ts'
import type { SecretHasher } from '../clients/secret.ts'
import { UnauthorizedClient, UnsupportedGrantType } from '../errors.ts'
import type { Grant } from '../grants/grant.ts'
import { readClientCredentials } from '../plugins/client-auth.ts'
import { formParams } from '../plugins/form-params.ts'
import type { RefreshCookie } from '../plugins/refresh-cookie.ts'

export type TokenRouteOptions = {
  grants: Map<string, Grant>
  findClient: ClientLookup
  hasher: SecretHasher
  /** Browser-mode clients: Origin check, refresh token in a cookie (plugins/refresh-cookie.ts). */
  refreshCookie: RefreshCookie
}

/** POST /oauth/token (RFC 6749 §3.2): form in, JSON out, never cached. */
export async function tokenRoute(app: FastifyInstance, opts: TokenRouteOptions): Promise<void> {
  app.post('/oauth/token', async (request, reply) => {
    const params = formParams(request)
    const grantType = params.required('grant_type')
    const grant = opts.grants.get(grantType)
    if (grant === undefined) throw new UnsupportedGrantType(`grant type ${grantType} is not supported`)

    const client = await authenticateClient(readClientCredentials(request, params), opts)
    if (!allowsGrant(client, grantType)) throw new UnauthorizedClient(`client is not allowed the ${grantType} grant`)

    const browser = client.refreshTokenCookie
    const response = await grant.issue({ client, params: browser ? opts.refreshCookie.accept(request, reply, client, params) : params })
    reply.headers({ 'cache-control': 'no-store', pragma: 'no-cache' })
    return reply.send(browser ? opts.refreshCookie.deliver(reply, response) : response)
  })
}
