import type { FastifyInstance } from 'fastify'
import type { ClientLookup } from '../clients/authenticate.ts'
import { InvalidRequest } from '../errors.ts'
import { formParams } from '../plugins/form-params.ts'
import { checkOrigin, REFRESH_COOKIE_PATH, type RefreshCookie } from '../plugins/refresh-cookie.ts'
import { revokeFamily, type FamilyDeps } from '../refresh-tokens/family.ts'
import { findRefreshToken } from '../refresh-tokens/find.ts'

export type LogoutRouteOptions = { findClient: ClientLookup; refreshCookie: RefreshCookie; family: FamilyDeps }

/**
 * POST /oauth/token/logout, for browser-mode clients (under the token endpoint's path, the only place the
 * refresh cookie is sent): `client_id` names the client, the request must come from one of its allowed
 * origins (the same CSRF check as at the token endpoint), the family of the refresh token in the cookie is
 * revoked if it is this client's, and the cookie is cleared. 204 whether or not there was a session to end.
 */
export async function logoutRoute(app: FastifyInstance, opts: LogoutRouteOptions): Promise<void> {
  app.post(`${REFRESH_COOKIE_PATH}/logout`, async (request, reply) => {
    const clientId = formParams(request).required('client_id')
    const client = await opts.findClient(clientId)
    if (client === undefined || !client.refreshTokenCookie) throw new InvalidRequest('client_id does not name a browser-mode client')
    checkOrigin(request, reply, client)
    const token = opts.refreshCookie.read(request)
    const record = token === undefined ? undefined : await findRefreshToken(token, opts.family)
    if (record !== undefined && record.clientId === client.id) {
      await revokeFamily(record.familyId, opts.family, { reason: 'logout', clientId: client.id, userId: record.userId })
    }
    opts.refreshCookie.clear(reply)
    return reply.headers({ 'cache-control': 'no-store', pragma: 'no-cache' }).code(204).send()
  })
}
