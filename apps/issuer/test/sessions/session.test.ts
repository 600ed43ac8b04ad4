import { createHash } from 'node:crypto'
import t from 'tap'
import type { PendingAuthorization } from '../../src/authorization-requests/authorization-request.ts'
import { manualClock } from '../../src/clock.ts'
import { hasValidCsrfToken } from '../../src/sessions/csrf.ts'
import { createSessionStore } from '../../src/sessions/session.ts'
import { createMemoryEphemeralStore } from '../../src/storage/memory/ephemeral-store.ts'

// The browser session in the ephemeral store (the in-process twin; Redis passes the same contract):
// idle expiry, rotation, bounded pending requests, CSRF tokens.

function setup() {
  const clock = manualClock(1_700_000_000_000)
  const ephemeral = createMemoryEphemeralStore(clock)
  t.teardown(() => ephemeral.close())
  return { clock, ephemeral, sessions: createSessionStore({ ephemeral, clock, ttlSeconds: 3600 }) }
}

const pending = (expiresAt: number): PendingAuthorization => ({
  clientId: 'c',
  redirectUri: 'https://app.example.com/cb',
  redirectUriSent: true,
  state: undefined,
  scopes: [],
  audience: 'https://api.example.com',
  codeChallenge: 'x'.repeat(43),
  expiresAt,
})

t.test('a session ends after the idle time, and each use extends it', async (t) => {
  const { clock, sessions } = setup()
  const { id, session } = await sessions.create()
  t.match(id, /^[A-Za-z0-9_-]{43}$/)
  t.match(session.csrf, /^[A-Za-z0-9_-]{43}$/)
  clock.advance(3_000_000)
  t.ok(await sessions.load(id), 'used within the hour')
  clock.advance(3_000_000)
  t.ok(await sessions.load(id), 'the last use counts, not the creation')
  clock.advance(3_600_001)
  t.equal(await sessions.load(id), undefined, 'idle for longer than the TTL')
})

t.test('the store keys sessions by the hash of the id', async (t) => {
  const { ephemeral, sessions } = setup()
  const { id } = await sessions.create()
  t.equal(await ephemeral.get(`session:${id}`), undefined)
  t.ok(await ephemeral.get(`session:${createHash('sha256').update(id).digest('base64url')}`), 'it is there under the SHA-256 of the id')
})

t.test('rotation moves the session to a new id with a new CSRF token', async (t) => {
  const { sessions } = setup()
  const { id, session } = await sessions.create()
  const csrf = session.csrf
  session.user = { id: 'u', email: 'u@example.com', authTime: 1 }
  const next = await sessions.rotate(id, session)
  t.not(next, id)
  t.equal(await sessions.load(id), undefined)
  const moved = await sessions.load(next)
  t.same(moved?.user, { id: 'u', email: 'u@example.com', authTime: 1 })
  t.not(moved?.csrf, csrf)
  await sessions.destroy(next)
  t.equal(await sessions.load(next), undefined)
})

t.test('expired pending requests are dropped, and at most ten are kept', async (t) => {
  const { clock, sessions } = setup()
  const { id, session } = await sessions.create()
  session.pending.old = pending(clock.now() - 1)
  for (let i = 0; i < 12; i++) session.pending[`p${i}`] = pending(clock.now() + 1000 + i)
  await sessions.save(id, session)
  const loaded = await sessions.load(id)
  t.same(Object.keys(loaded?.pending ?? {}).sort(), ['p10', 'p11', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'p8', 'p9'])
})

t.test('CSRF tokens compare in constant time and need a session', async (t) => {
  const { sessions } = setup()
  const { session } = await sessions.create()
  t.ok(hasValidCsrfToken(session, session.csrf))
  t.notOk(hasValidCsrfToken(session, `${session.csrf}x`))
  t.notOk(hasValidCsrfToken(session, undefined))
  t.notOk(hasValidCsrfToken(undefined, session.csrf))
})
