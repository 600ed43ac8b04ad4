import type { PendingAuthorization } from '../authorization-requests/authorization-request.ts'
import type { Clock } from '../clock.ts'
import type { EphemeralStore } from '../storage/ports.ts'
import { hashToken } from '../tokens/hash.ts'
import { randomToken } from '../tokens/random.ts'

// The issuer's own browser session, kept server-side in the ephemeral store under the SHA-256 of its id
// (the id travels only in the signed cookie). Each use extends it: it ends after `ttlSeconds` idle.

export type SignedInUser = { id: string; email: string; authTime: number }

export type Session = {
  /** Synchronizer token that every form of this session carries (sessions/csrf.ts). */
  csrf: string
  user?: SignedInUser | undefined
  /** Authorization requests waiting for sign-in or consent, by interaction id. */
  pending: Record<string, PendingAuthorization>
}

export type SessionStore = {
  load(id: string): Promise<Session | undefined>
  create(): Promise<{ id: string; session: Session }>
  save(id: string, session: Session): Promise<void>
  /** Moves the session to a new id (and a new CSRF token), e.g. on sign-in, so an id known before is worthless. */
  rotate(id: string, session: Session): Promise<string>
  destroy(id: string): Promise<void>
}

/** At most this many authorization requests wait in one session; the oldest go first. */
const MAX_PENDING = 10

export function createSessionStore(deps: { ephemeral: EphemeralStore; clock: Clock; ttlSeconds: number }): SessionStore {
  const ttlMs = deps.ttlSeconds * 1000
  const key = (id: string) => `session:${hashToken(id)}`
  const save = async (id: string, session: Session) => {
    await deps.ephemeral.put(key(id), JSON.stringify(prune(session, deps.clock.now())), ttlMs)
  }
  return {
    async load(id) {
      const value = await deps.ephemeral.get(key(id))
      if (value === undefined) return undefined
      const session = JSON.parse(value) as Session
      await save(id, session)
      return session
    },
    async create() {
      const id = randomToken()
      const session: Session = { csrf: randomToken(), pending: {} }
      await save(id, session)
      return { id, session }
    },
    save,
    async rotate(id, session) {
      const next = randomToken()
      session.csrf = randomToken()
      await save(next, session)
      await deps.ephemeral.delete(key(id))
      return next
    },
    async destroy(id) {
      await deps.ephemeral.delete(key(id))
    },
  }
}

function prune(session: Session, now: number): Session {
  const live = Object.entries(session.pending)
    .filter(([, pending]) => pending.expiresAt > now)
    .sort(([, a], [, b]) => b.expiresAt - a.expiresAt)
    .slice(0, MAX_PENDING)
  return { ...session, pending: Object.fromEntries(live) }
}
