import type { FastifyInstance } from 'fastify'
import { authenticateClient, type ClientLookup } from '../clients/authenticate.ts'
import { allowsGrant } from '../clients/client.ts'
import type { SecretHasher } from '../clients/secret.ts'
import { InvalidRequest, UnauthorizedClient, UnsupportedGrantType } from '../errors.ts'
import type { Grant } from '../grants/grant.ts'
import { Params } from '../grants/params.ts'
import { readClientCredentials } from '../plugins/client-auth.ts'
import type { RefreshCookie } from '../plugins/refresh-cookie.ts'

export type TokenRouteOptions = {
  grants: Map<string, Grant>
  findClient: ClientLookup
  hasher: SecretHasher
  /** Browser-mode clients: Origin check, refresh token in a cookie (plugins/refresh-cookie.ts). */
  refreshCookie: RefreshCookie
}

const FORM = 'application/x-www-form-urlencoded'

/** POST /oauth/token (RFC 6749 §3.2): form in, JSON out, never cached. */
export async function tokenRoute(app: FastifyInstance, opts: TokenRouteOptions): Promise<void> {
  app.post('/oauth/token', async (request, reply) => {
    if (mediaType(request.headers['content-type']) !== FORM) throw new InvalidRequest(`content type must be ${FORM}`)
    const params = new Params((request.body ?? {}) as Record<string, string | string[]>)
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

function mediaType(header: string | undefined): string | undefined {
  return header?.split(';')[0]?.trim().toLowerCase()
}
