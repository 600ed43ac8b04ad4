import type { FastifyInstance } from 'fastify'
import { AccessDenied } from '../errors.ts'
import { Params } from '../grants/params.ts'
import { PAGE, sendHtml } from '../plugins/pages.ts'
import { currentSession, type SessionCookie } from '../plugins/session-cookie.ts'
import { CSRF_FAILURE, hasValidCsrfToken } from '../sessions/csrf.ts'
import type { SessionStore } from '../sessions/session.ts'
import { messagePage } from '../views/message.ts'
import { signOutPage } from '../views/sign-out.ts'

export type SignOutRouteOptions = { sessions: SessionStore; cookie: SessionCookie }

const SIGNED_OUT = messagePage({ title: 'Signed out', message: 'You are signed out of Keymint. You can close this page.' })

/**
 * GET /signout asks (a link alone must not end a session); POST /signout, with the session's CSRF token, ends
 * the issuer's own browser session. Tokens already issued to applications are not affected.
 */
export async function signOutRoute(app: FastifyInstance, opts: SignOutRouteOptions): Promise<void> {
  app.get('/signout', PAGE, async (request, reply) => {
    const current = await currentSession(request, opts)
    if (current?.session.user === undefined) return sendHtml(reply, 200, SIGNED_OUT)
    return sendHtml(reply, 200, signOutPage({ email: current.session.user.email, csrf: current.session.csrf }))
  })

  app.post('/signout', PAGE, async (request, reply) => {
    const body = new Params((request.body ?? {}) as Record<string, string | string[]>)
    const current = await currentSession(request, opts)
    if (current === undefined) return sendHtml(reply, 200, SIGNED_OUT)
    if (!hasValidCsrfToken(current.session, body.one('csrf'))) throw new AccessDenied(CSRF_FAILURE)
    await opts.sessions.destroy(current.id)
    opts.cookie.clear(reply)
    return sendHtml(reply, 200, SIGNED_OUT)
  })
}
