import type { FastifyInstance } from 'fastify'
import type { AuthorizationFlow } from '../authorization-requests/flow.ts'
import type { PendingAuthorization } from '../authorization-requests/authorization-request.ts'
import type { ClientLookup } from '../clients/authenticate.ts'
import type { Clock } from '../clock.ts'
import { AccessDenied } from '../errors.ts'
import { Params } from '../grants/params.ts'
import { PAGE, redirectErrorsTo, sendHtml } from '../plugins/pages.ts'
import { currentSession, requireSession, type SessionCookie } from '../plugins/session-cookie.ts'
import { CSRF_FAILURE, hasValidCsrfToken } from '../sessions/csrf.ts'
import type { SessionStore } from '../sessions/session.ts'
import { dummyPasswordHash } from '../users/password.ts'
import { signIn, type SignInDeps } from '../users/sign-in.ts'
import { SIGN_IN_LIMITS } from '../users/sign-in-throttle.ts'
import { signInPage, type SignInView } from '../views/sign-in.ts'

export type SignInRouteOptions = {
  issuer: string
  clock: Clock
  findClient: ClientLookup
  flow: AuthorizationFlow
  sessions: SessionStore
  cookie: SessionCookie
  signIn: SignInDeps
}

const MESSAGES = {
  failed: 'Incorrect email or password.',
  missing: 'Enter your email and password.',
  throttled: `Too many failed sign-in attempts. Wait ${SIGN_IN_LIMITS.windowSeconds / 60} minutes, then try again.`,
}

/** GET /sign-in shows the form for a pending authorization request; POST /sign-in checks it and moves on. */
export async function signInRoute(app: FastifyInstance, opts: SignInRouteOptions): Promise<void> {
  // Hashed now, so that the first sign-in for an unknown address takes no longer than the ones after it.
  await dummyPasswordHash()
  const form = async (pending: PendingAuthorization, view: Omit<SignInView, 'clientName'>) => {
    const client = await opts.findClient(pending.clientId)
    return signInPage({ ...view, clientName: client?.name ?? pending.clientId })
  }

  app.get('/sign-in', PAGE, async (request, reply) => {
    const interaction = new Params(request.query as Record<string, string | string[]>).one('interaction') ?? ''
    const { session } = await requireSession(request, opts)
    const pending = opts.flow.pending(session, interaction)
    const page = await form(pending, { interaction, csrf: session.csrf })
    return sendHtml(reply, 200, page, { formTargets: [pending.redirectUri] })
  })

  app.post('/sign-in', PAGE, async (request, reply) => {
    const body = new Params((request.body ?? {}) as Record<string, string | string[]>)
    const current = await currentSession(request, opts)
    if (current === undefined || !hasValidCsrfToken(current.session, body.one('csrf'))) throw new AccessDenied(CSRF_FAILURE)
    const interaction = body.one('interaction') ?? ''
    const pending = opts.flow.pending(current.session, interaction)
    redirectErrorsTo(request, { redirectUri: pending.redirectUri, state: pending.state, issuer: opts.issuer })

    const email = body.one('email') ?? ''
    const password = body.one('password') ?? ''
    const result =
      email === '' || password === ''
        ? ({ outcome: 'missing' } as const)
        : await signIn({ email, password, ip: request.ip, clientId: pending.clientId }, opts.signIn)
    if (result.outcome !== 'signed-in') {
      const page = await form(pending, { interaction, csrf: current.session.csrf, email, message: MESSAGES[result.outcome] })
      if (result.outcome === 'throttled') reply.header('retry-after', String(SIGN_IN_LIMITS.windowSeconds))
      return sendHtml(reply, result.outcome === 'throttled' ? 429 : 400, page, { formTargets: [pending.redirectUri] })
    }

    current.session.user = { id: result.user.id, email: result.user.email, authTime: Math.floor(opts.clock.now() / 1000) }
    const id = await opts.sessions.rotate(current.id, current.session)
    opts.cookie.write(reply, id)
    const location = await opts.flow.next(current.session, interaction)
    await opts.sessions.save(id, current.session)
    return reply.redirect(location, 303)
  })
}
