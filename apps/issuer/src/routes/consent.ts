import type { FastifyInstance } from 'fastify'
import type { AuthorizationFlow } from '../authorization-requests/flow.ts'
import type { ClientLookup } from '../clients/authenticate.ts'
import { AccessDenied, InvalidRequest } from '../errors.ts'
import { Params } from '../grants/params.ts'
import { PAGE, redirectErrorsTo, sendHtml } from '../plugins/pages.ts'
import { currentSession, requireSession, type SessionCookie } from '../plugins/session-cookie.ts'
import { CSRF_FAILURE, hasValidCsrfToken } from '../sessions/csrf.ts'
import type { SessionStore } from '../sessions/session.ts'
import type { ConsentStore } from '../storage/ports.ts'
import { consentPage } from '../views/consent.ts'

export type ConsentRouteOptions = {
  issuer: string
  findClient: ClientLookup
  flow: AuthorizationFlow
  sessions: SessionStore
  cookie: SessionCookie
  consents: ConsentStore
}

/** GET /consent asks the signed-in user about a pending request; POST /consent records Allow, or answers Deny. */
export async function consentRoute(app: FastifyInstance, opts: ConsentRouteOptions): Promise<void> {
  app.get('/consent', PAGE, async (request, reply) => {
    const interaction = new Params(request.query as Record<string, string | string[]>).one('interaction') ?? ''
    const { session } = await requireSession(request, opts)
    const pending = opts.flow.pending(session, interaction)
    if (session.user === undefined) return reply.redirect(`/sign-in?interaction=${encodeURIComponent(interaction)}`, 303)
    const client = await opts.findClient(pending.clientId)
    const view = { clientName: client?.name ?? pending.clientId, email: session.user.email, scopes: pending.scopes, interaction, csrf: session.csrf }
    return sendHtml(reply, 200, consentPage(view), { formTargets: [pending.redirectUri] })
  })

  app.post('/consent', PAGE, async (request, reply) => {
    const body = new Params((request.body ?? {}) as Record<string, string | string[]>)
    const current = await currentSession(request, opts)
    if (current === undefined || !hasValidCsrfToken(current.session, body.one('csrf'))) throw new AccessDenied(CSRF_FAILURE)
    const { id, session } = current
    const interaction = body.one('interaction') ?? ''
    const pending = opts.flow.pending(session, interaction)
    redirectErrorsTo(request, { redirectUri: pending.redirectUri, state: pending.state, issuer: opts.issuer })
    if (session.user === undefined) return reply.redirect(`/sign-in?interaction=${encodeURIComponent(interaction)}`, 303)

    const decision = body.one('decision')
    if (decision === 'deny') {
      delete session.pending[interaction]
      await opts.sessions.save(id, session)
      throw new AccessDenied('the user denied the request')
    }
    if (decision !== 'allow') throw new InvalidRequest('decision must be allow or deny')
    await opts.consents.grant(session.user.id, pending.clientId, pending.scopes)
    const location = await opts.flow.next(session, interaction)
    await opts.sessions.save(id, session)
    return reply.redirect(location, 303)
  })
}
