import type { FastifyReply, FastifyRequest } from 'fastify'
import { InvalidRequest } from '../errors.ts'
import type { Session, SessionStore } from '../sessions/session.ts'

/**
 * The browser session's cookie: a random id, signed by @fastify/cookie, HttpOnly, SameSite=Lax, Path=/, and
 * Secure with the __Host- prefix when the issuer is https. No Max-Age: the browser forgets it when it
 * closes, and the server forgets the session after SESSION_TTL_SECONDS idle.
 */
export type SessionCookie = {
  read(request: FastifyRequest): string | undefined
  write(reply: FastifyReply, id: string): void
  clear(reply: FastifyReply): void
}

export function createSessionCookie(options: { secure: boolean }): SessionCookie {
  const name = options.secure ? '__Host-keymint-session' : 'keymint-session'
  const attributes = { httpOnly: true, sameSite: 'lax', secure: options.secure, path: '/' } as const
  return {
    read(request) {
      const raw = request.cookies[name]
      if (raw === undefined) return undefined
      const { valid, value } = request.unsignCookie(raw)
      return valid && value !== null ? value : undefined
    },
    write(reply, id) {
      reply.setCookie(name, id, { ...attributes, signed: true })
    },
    clear(reply) {
      reply.clearCookie(name, attributes)
    },
  }
}

export type CurrentSession = { id: string; session: Session }

/** The request's session, if its cookie is genuine and the session still lives. */
export async function currentSession(
  request: FastifyRequest,
  deps: { cookie: SessionCookie; sessions: SessionStore },
): Promise<CurrentSession | undefined> {
  const id = deps.cookie.read(request)
  if (id === undefined) return undefined
  const session = await deps.sessions.load(id)
  return session === undefined ? undefined : { id, session }
}

/** The request's session, for pages that make no sense without one. */
export async function requireSession(
  request: FastifyRequest,
  deps: { cookie: SessionCookie; sessions: SessionStore },
): Promise<CurrentSession> {
  const current = await currentSession(request, deps)
  if (current === undefined) {
    throw new InvalidRequest('your sign-in session has ended, or this browser does not keep cookies: go back to the application and try again')
  }
  return current
}

/** The request's session, or a new one (its cookie set on the reply). */
export async function sessionFor(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: { cookie: SessionCookie; sessions: SessionStore },
): Promise<CurrentSession> {
  const current = await currentSession(request, deps)
  if (current !== undefined) return current
  const created = await deps.sessions.create()
  deps.cookie.write(reply, created.id)
  return created
}
