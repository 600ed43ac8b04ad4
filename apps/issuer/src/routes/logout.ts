import type { FastifyInstance } from 'fastify'
import type { ClientLookup } from '../clients/authenticate.ts'
import { checkOrigin, type RefreshCookie } from '../plugins/refresh-cookie.ts'
import { revokeFamily, type FamilyDeps } from '../refresh-tokens/family.ts'
import { findRefreshToken } from '../refresh-tokens/find.ts'

export type LogoutRouteOptions = { findClient: ClientLookup; refreshCookie: RefreshCookie; family: FamilyDeps }

/**
 * POST /oauth/logout, for browser-mode clients: revokes the family of the refresh token in the cookie (the
 * request must come from one of the client's allowed origins, as at the token endpoint) and clears the
 * cookie. 204 whether or not there was a session to end.
 */
export async function logoutRoute(app: FastifyInstance, opts: LogoutRouteOptions): Promise<void> {
  app.post('/oauth/logout', async (request, reply) => {
    const token = opts.refreshCookie.read(request)
    const record = token === undefined ? undefined : await findRefreshToken(token, opts.family)
    const client = record === undefined ? undefined : await opts.findClient(record.clientId)
    if (record !== undefined && client?.refreshTokenCookie === true) {
      checkOrigin(request, reply, client)
      await revokeFamily(record.familyId, opts.family, { reason: 'logout', clientId: client.id, userId: record.userId })
    }
    opts.refreshCookie.clear(reply)
    return reply.headers({ 'cache-control': 'no-store', pragma: 'no-cache' }).code(204).send()
  })
}
