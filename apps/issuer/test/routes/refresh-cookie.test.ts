import type { AddressInfo } from 'node:net'
import t, { type Test } from 'tap'
import { EVENTS } from '../../src/events.ts'
import { hashToken } from '../../src/tokens/hash.ts'
import type { TestIssuer } from '../helpers/issuer.ts'
import { createPublicClient, postForm, startFamily, startIssuerOn, STORAGE_KINDS, storageName } from '../helpers/refresh-tokens.ts'

// Browser mode over real HTTP, on PostgreSQL + Redis and on the embedded default: the refresh token travels
// only in an HttpOnly cookie scoped to the token endpoint, cookie-based requests must come from one of the
// client's registered origins, and /oauth/token/logout revokes the family and clears the cookie.
// The same in a real browser: refresh-cookie.browser.test.ts.

const ORIGIN = 'https://app.example.com'

async function browserClient(issuer: TestIssuer) {
  return issuer.createClient({
    authMethod: 'none',
    grantTypes: ['authorization_code', 'refresh_token'],
    redirectUris: [`${ORIGIN}/callback`],
    refreshTokenCookie: true,
    allowedOrigins: [ORIGIN],
  })
}

/** Where the issuer really listens (its issuer URL may be an https name in front of it). */
const listening = (issuer: TestIssuer) => `http://127.0.0.1:${(issuer.app.server.address() as AddressInfo).port}`

const cookieOf = (res: { headers: Headers }) => res.headers.getSetCookie()

for (const kind of STORAGE_KINDS) t.test(`refresh token cookie on ${storageName(kind)}`, async (t) => {
  const issuer = await startIssuerOn(t, kind)
  const spa = await browserClient(issuer)
  const token = (form: Record<string, string>, headers: Record<string, string> = {}) =>
    postForm(`${issuer.url}/oauth/token`, { client_id: spa.id, ...form }, headers)
  const logout = (headers: Record<string, string>) => postForm(`${issuer.url}/oauth/token/logout`, { client_id: spa.id }, headers)
  const withCookie = (value: string) => ({ origin: ORIGIN, cookie: `keymint-refresh=${value}` })
  const cookieValue = (res: { headers: Headers }) => /^keymint-refresh=([^;]*);/.exec(cookieOf(res)[0] ?? '')?.[1] ?? ''

  t.test('the token endpoint sets the cookie instead of returning the token, and reads it back', async (t) => {
    const { token: first } = await startFamily(issuer, { clientId: spa.id })
    const res = await token({ grant_type: 'refresh_token' }, withCookie(first))
    t.equal(res.status, 200)
    t.same(Object.keys(res.body ?? {}).sort(), ['access_token', 'expires_in', 'scope', 'token_type'], 'no refresh_token in the body')
    const [cookie, ...more] = cookieOf(res)
    t.equal(more.length, 0)
    t.match(cookie, /^keymint-refresh=[A-Za-z0-9_-]{43}; Max-Age=1209600; Path=\/oauth\/token; HttpOnly; SameSite=Strict$/)
    t.notMatch(cookie, /Secure/, 'not Secure on an http issuer (loopback development)')
    t.equal(res.headers.get('access-control-allow-origin'), ORIGIN)
    t.equal(res.headers.get('access-control-allow-credentials'), 'true')
    t.match(res.headers.get('vary'), /Origin/)

    const second = cookieValue(res)
    const next = await token({ grant_type: 'refresh_token' }, withCookie(second))
    t.equal(next.status, 200, 'the cookie alone refreshes')
    t.match(cookieValue(next), /^[A-Za-z0-9_-]{43}$/, 'a new cookie is set')
    t.not(cookieValue(next), second, 'and is rotated')
    const replay = await token({ grant_type: 'refresh_token' }, withCookie(second))
    t.same(replay.body, { error: 'invalid_grant', error_description: 'refresh token was already used' }, 'reuse detection holds in cookie mode')
  })

  t.test('CSRF: without a registered Origin nothing happens', async (t) => {
    const { token: value } = await startFamily(issuer, { clientId: spa.id })
    const cookie = `keymint-refresh=${value}`
    for (const [what, headers, description] of [
      ['no Origin', { cookie }, 'the Origin header is required for this client'],
      ['another origin', { cookie, origin: 'https://evil.example.com' }, 'origin not allowed for this client'],
      ['a sibling subdomain', { cookie, origin: 'https://evil.app.example.com' }, 'origin not allowed for this client'],
      ['the null origin', { cookie, origin: 'null' }, 'origin not allowed for this client'],
    ] as const) {
      const res = await token({ grant_type: 'refresh_token' }, headers)
      t.equal(res.status, 400, what)
      t.same(res.body, { error: 'invalid_request', error_description: description }, what)
      t.equal(res.headers.get('access-control-allow-origin'), null, `${what}: no CORS grant`)
      t.same(cookieOf(res), [], `${what}: no cookie`)
    }
    t.equal((await issuer.stores.refreshTokens.findByHash(hashToken(value)))?.usedAt, null, 'the token was not spent')
    t.equal((await token({ grant_type: 'refresh_token' }, withCookie(value))).status, 200)
  })

  t.test('logout revokes the family and clears the cookie', async (t) => {
    const { token: first, familyId } = await startFamily(issuer, { clientId: spa.id })
    const current = cookieValue(await token({ grant_type: 'refresh_token' }, withCookie(first)))

    const refused = await logout({ cookie: `keymint-refresh=${current}`, origin: 'https://evil.example.com' })
    t.same(refused.body, { error: 'invalid_request', error_description: 'origin not allowed for this client' })
    t.equal((await issuer.stores.refreshTokens.findByHash(hashToken(current)))?.revokedAt, null, 'a cross-site logout does nothing')

    const res = await logout(withCookie(current))
    t.equal(res.status, 204)
    t.equal(res.text, '')
    t.equal(res.headers.get('access-control-allow-origin'), ORIGIN)
    t.match(cookieOf(res), [/^keymint-refresh=; Max-Age=0; Path=\/oauth\/token; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Strict$/])
    const after = await token({ grant_type: 'refresh_token' }, withCookie(current))
    t.same(after.body, { error: 'invalid_grant', error_description: 'refresh token was revoked' })
    const events = (await issuer.stores.audit.list(EVENTS.refreshTokenFamilyRevoked)).filter((e) => e.detail?.familyId === familyId)
    t.match(events, [{ clientId: spa.id, detail: { reason: 'logout', tokens: 2 } }])

    const again = await logout({ origin: ORIGIN })
    t.equal(again.status, 204, 'logging out without a cookie is fine')
    const unknown = await postForm(`${issuer.url}/oauth/token/logout`, { client_id: 'nobody' }, { origin: ORIGIN })
    t.same(unknown.body, { error: 'invalid_request', error_description: 'client_id does not name a browser-mode client' })
  })

  t.test('logout leaves another client’s family alone', async (t) => {
    const other = await browserClient(issuer)
    const { token: value } = await startFamily(issuer, { clientId: other.id })
    t.equal((await logout(withCookie(value))).status, 204)
    t.equal((await issuer.stores.refreshTokens.findByHash(hashToken(value)))?.revokedAt, null)
  })

  t.test('a client not in browser mode keeps the token in the body', async (t) => {
    const plain = await createPublicClient(issuer)
    const { token: value } = await startFamily(issuer, { clientId: plain.id })
    const res = await postForm(`${issuer.url}/oauth/token`, { grant_type: 'refresh_token', client_id: plain.id, refresh_token: value })
    t.equal(res.status, 200)
    t.type(res.body?.refresh_token, 'string')
    t.same(cookieOf(res), [])
  })
})

t.test('on an https issuer the cookie is Secure, with the __Secure- prefix', async (t: Test) => {
  const issuer = await startIssuerOn(t, 'embedded', { env: { ISSUER: 'https://auth.example.test' } })
  const spa = await browserClient(issuer)
  const { token: value } = await startFamily(issuer, { clientId: spa.id })
  const res = await postForm(
    `${listening(issuer)}/oauth/token`,
    { grant_type: 'refresh_token', client_id: spa.id },
    { origin: ORIGIN, cookie: `__Secure-keymint-refresh=${value}` },
  )
  t.equal(res.status, 200)
  t.match(cookieOf(res), [/^__Secure-keymint-refresh=[A-Za-z0-9_-]{43}; Max-Age=1209600; Path=\/oauth\/token; HttpOnly; Secure; SameSite=Strict$/])
})
