import type { FastifyInstance } from 'fastify'
import type { AuthorizationFlow } from '../authorization-requests/flow.ts'
import { resolveClientRedirect, stateOf, validateAuthorizationRequest } from '../authorization-requests/validate.ts'
import type { ClientLookup } from '../clients/authenticate.ts'
import { Params } from '../grants/params.ts'
import { PAGE, redirectErrorsTo } from '../plugins/pages.ts'
import { sessionFor, type SessionCookie } from '../plugins/session-cookie.ts'
import type { SessionStore } from '../sessions/session.ts'

export type AuthorizeRouteOptions = {
  issuer: string
  findClient: ClientLookup
  flow: AuthorizationFlow
  sessions: SessionStore
  cookie: SessionCookie
}

/**
 * GET /oauth/authorize (RFC 6749 §4.1.1, PKCE S256 required): an unknown client or redirect_uri is an error
 * page; any other error goes back to the redirect_uri. A valid request waits in the browser's session while
 * the user signs in and consents; the browser is sent to the next step, or straight back with a code.
 */
export async function authorizeRoute(app: FastifyInstance, opts: AuthorizeRouteOptions): Promise<void> {
  app.get('/oauth/authorize', PAGE, async (request, reply) => {
    const params = new Params(request.query as Record<string, string | string[]>)
    const target = await resolveClientRedirect(params, opts.findClient)
    redirectErrorsTo(request, { redirectUri: target.redirectUri, state: stateOf(params), issuer: opts.issuer })
    const authorization = validateAuthorizationRequest(params, target)

    const { id, session } = await sessionFor(request, reply, opts)
    const interaction = opts.flow.begin(session, authorization)
    const location = await opts.flow.next(session, interaction)
    await opts.sessions.save(id, session)
    return reply.redirect(location, 302)
  })
}
