import { createRemoteJWKSet, jwtVerify } from 'jose'
import * as oauth from 'oauth4webapi'
import * as openid from 'openid-client'
import t from 'tap'
import { manualClock } from '../../src/clock.ts'
import { createAdminOperations } from '../../src/admin/operations.ts'
import { EVENTS } from '../../src/events.ts'
import { hashToken } from '../../src/tokens/hash.ts'
import { basic, postToken } from '../helpers/issuer.ts'
import { createPublicClient, discover, INSECURE, refresh, startFamily, startIssuerOn, STORAGE_KINDS, storageName } from '../helpers/refresh-tokens.ts'

// POST /oauth/token with grant_type=refresh_token, over real HTTP, on PostgreSQL + Redis and on the embedded
// default. Families are started with issueRefreshToken (what the authorization_code grant calls); the issuer
// runs on a manual clock.

const HOUR = 3_600_000

for (const kind of STORAGE_KINDS) t.test(`refresh_token grant on ${storageName(kind)}`, async (t) => {
  const clock = manualClock()
  const issuer = await startIssuerOn(t, kind, {
    clock,
    env: { REFRESH_TOKEN_IDLE_SECONDS: '3600', REFRESH_TOKEN_ABSOLUTE_SECONDS: '10800' },
  })
  const { id, secret } = await issuer.createClient({ grantTypes: ['client_credentials', 'refresh_token'] })
  const auth = { authorization: basic(id, secret) }
  const jwks = createRemoteJWKSet(new URL(`${issuer.url}/.well-known/jwks.json`))
  const verify = (token: string) =>
    jwtVerify(token, jwks, { issuer: issuer.url, audience: 'https://api.example.com', algorithms: ['RS256'], typ: 'at+jwt', currentDate: new Date(clock.now()) })

  t.test('rotates: a new refresh token and access token; the old one is spent', async (t) => {
    const { token } = await startFamily(issuer, { clientId: id, authTime: new Date(clock.now() - 60_000) })
    const res = await refresh(issuer, token, auth)
    t.equal(res.status, 200)
    t.equal(res.headers.get('cache-control'), 'no-store')
    t.same(Object.keys(res.body).sort(), ['access_token', 'expires_in', 'refresh_token', 'scope', 'token_type'])
    t.equal(res.body.token_type, 'Bearer')
    t.equal(res.body.expires_in, 900)
    t.equal(res.body.scope, 'orders:read orders:write')
    t.match(res.body.refresh_token, /^[A-Za-z0-9_-]{43}$/)
    t.not(res.body.refresh_token, token)
    const { payload } = await verify(res.body.access_token as string)
    t.match(payload, { sub: 'user-1', client_id: id, aud: 'https://api.example.com', scope: 'orders:read orders:write' })
    t.equal(payload.auth_time, Math.floor((clock.now() - 60_000) / 1000))

    const spent = await issuer.stores.refreshTokens.findByHash(hashToken(token))
    t.strictSame(spent?.usedAt, new Date(clock.now()), 'the presented token is spent')
    const child = await issuer.stores.refreshTokens.findByHash(hashToken(res.body.refresh_token as string))
    t.equal(child?.parentHash, hashToken(token), 'and its child is stored (only by hash) before the response')
    const next = await refresh(issuer, res.body.refresh_token as string, auth)
    t.equal(next.status, 200, 'the new token works')
  })

  t.test('reuse revokes the family: the thief’s and the victim’s tokens both fail, and it is recorded', async (t) => {
    const { token: stolen, familyId } = await startFamily(issuer, { clientId: id })
    const victim = await refresh(issuer, stolen, auth)
    t.equal(victim.status, 200)
    const thief = await refresh(issuer, stolen, auth)
    t.equal(thief.status, 400)
    t.same(thief.body, { error: 'invalid_grant', error_description: 'refresh token was already used' })
    const after = await refresh(issuer, victim.body.refresh_token as string, auth)
    t.same(after.body, { error: 'invalid_grant', error_description: 'refresh token was revoked' })
    const again = await refresh(issuer, stolen, auth)
    t.same(again.body, { error: 'invalid_grant', error_description: 'refresh token was revoked' })
    const reuse = (await issuer.stores.audit.list(EVENTS.refreshTokenReuseDetected)).filter((e) => e.detail?.familyId === familyId)
    t.match(reuse, [{ type: 'refresh_token.reuse_detected', clientId: id, userId: 'user-1', detail: { familyId } }])
    const revoked = (await issuer.stores.audit.list(EVENTS.refreshTokenFamilyRevoked)).filter((e) => e.detail?.familyId === familyId)
    t.match(revoked, [{ clientId: id, detail: { reason: 'reuse', tokens: 2 } }])
  })

  t.test('20 concurrent refreshes with one token: exactly one 200', async (t) => {
    const { token } = await startFamily(issuer, { clientId: id })
    const results = await Promise.all(Array.from({ length: 20 }, () => refresh(issuer, token, auth)))
    const ok = results.filter((res) => res.status === 200)
    t.equal(ok.length, 1)
    for (const res of results.filter((r) => r.status !== 200)) {
      t.equal(res.status, 400)
      t.equal(res.body.error, 'invalid_grant')
      // Spent when it was tried, or already revoked by an earlier loser's reuse detection.
      t.match(res.body.error_description, /^refresh token was (already used|revoked)$/)
    }
    const winner = await refresh(issuer, ok[0]?.body.refresh_token as string, auth)
    t.same(winner.body, { error: 'invalid_grant', error_description: 'refresh token was revoked' }, 'the race counts as reuse')
  })

  t.test('idle expiry: every rotation extends it', async (t) => {
    let { token } = await startFamily(issuer, { clientId: id })
    for (let i = 0; i < 2; i++) {
      clock.advance(HOUR - 1000)
      const res = await refresh(issuer, token, auth)
      t.equal(res.status, 200)
      token = res.body.refresh_token as string
    }
    clock.advance(HOUR)
    const res = await refresh(issuer, token, auth)
    t.same(res.body, { error: 'invalid_grant', error_description: 'refresh token has expired' })
  })

  t.test('absolute expiry: a family in constant use still ends', async (t) => {
    let { token } = await startFamily(issuer, { clientId: id })
    for (let i = 0; i < 5; i++) {
      clock.advance(HOUR / 2)
      const res = await refresh(issuer, token, auth)
      t.equal(res.status, 200)
      token = res.body.refresh_token as string
    }
    clock.advance(HOUR / 2)
    const res = await refresh(issuer, token, auth)
    t.same(res.body, { error: 'invalid_grant', error_description: 'refresh token has expired' }, 'three hours after it began')
  })

  t.test('scope may narrow on refresh, never widen; the refresh token keeps the grant', async (t) => {
    const { token } = await startFamily(issuer, { clientId: id })
    const wider = await refresh(issuer, token, auth, { scope: 'orders:read admin' })
    t.equal(wider.status, 400)
    t.same(wider.body, { error: 'invalid_scope', error_description: 'scope not granted to this refresh token: admin' })
    const malformed = await refresh(issuer, token, auth, { scope: 'orders:read  x' })
    t.same(malformed.body, { error: 'invalid_scope', error_description: 'scope is malformed' })
    const target = await refresh(issuer, token, auth, { resource: 'https://billing.example.com' })
    t.same(target.body, { error: 'invalid_target', error_description: 'resource not granted to this refresh token: https://billing.example.com' })

    const narrow = await refresh(issuer, token, auth, { scope: 'orders:read' })
    t.equal(narrow.status, 200, 'refused requests did not spend the token')
    t.equal(narrow.body.scope, 'orders:read')
    t.equal((await verify(narrow.body.access_token as string)).payload.scope, 'orders:read')
    const full = await refresh(issuer, narrow.body.refresh_token as string, auth)
    t.equal(full.body.scope, 'orders:read orders:write', 'the next refresh may ask for the whole grant again')
  })

  t.test('a refresh token is bound to its client', async (t) => {
    const other = await issuer.createClient({ grantTypes: ['refresh_token'] })
    const { token } = await startFamily(issuer, { clientId: id })
    const res = await refresh(issuer, token, { authorization: basic(other.id, other.secret) })
    t.equal(res.status, 400)
    t.same(res.body, { error: 'invalid_grant', error_description: 'refresh token is invalid' })
    t.equal((await refresh(issuer, token, auth)).status, 200, 'and stays usable by its own client')
  })

  t.test('only clients allowed the grant; client_credentials never issues a refresh token', async (t) => {
    const ccOnly = await issuer.createClient()
    const { token } = await startFamily(issuer, { clientId: ccOnly.id })
    const res = await refresh(issuer, token, { authorization: basic(ccOnly.id, ccOnly.secret) })
    t.same(res.body, { error: 'unauthorized_client', error_description: 'client is not allowed the refresh_token grant' })
    const cc = await postToken(issuer.url, { grant_type: 'client_credentials' }, auth)
    t.equal(cc.status, 200)
    t.notOk('refresh_token' in cc.body, 'RFC 6749 §4.4.3')
  })

  t.test('a user disabled since the family began gets nothing more, and the family ends', async (t) => {
    const admin = createAdminOperations(issuer.deps)
    const user = await admin.createUser({ email: `pat-${kind}@example.com`, password: 'correct horse battery staple' })
    const { token, familyId } = await startFamily(issuer, { clientId: id, userId: user.id })
    const first = await refresh(issuer, token, auth)
    t.equal(first.status, 200, 'an active user refreshes')
    await admin.disableUser(user.id)
    const res = await refresh(issuer, first.body.refresh_token as string, auth)
    t.equal(res.status, 400)
    t.same(res.body, { error: 'invalid_grant', error_description: 'the user of this refresh token is disabled' })
    const revoked = (await issuer.stores.audit.list(EVENTS.refreshTokenFamilyRevoked)).filter((e) => e.detail?.familyId === familyId)
    t.match(revoked, [{ userId: user.id, detail: { reason: 'revocation' } }], 'the whole family is revoked')
  })

  t.test('missing, unknown and garbage refresh tokens', async (t) => {
    const missing = await postToken(issuer.url, { grant_type: 'refresh_token' }, auth)
    t.same(missing.body, { error: 'invalid_request', error_description: 'missing parameter refresh_token' })
    for (const token of ['x'.repeat(43), 'garbage', 'a.b.c']) {
      const res = await refresh(issuer, token, auth)
      t.same(res.body, { error: 'invalid_grant', error_description: 'refresh token is invalid' }, token)
    }
  })

  t.test('a public client refreshes with its client_id alone', async (t) => {
    const spa = await createPublicClient(issuer)
    const { token } = await startFamily(issuer, { clientId: spa.id })
    const res = await refresh(issuer, token, {}, { client_id: spa.id })
    t.equal(res.status, 200)
    t.equal((await verify(res.body.access_token as string)).payload.client_id, spa.id)
  })

  t.test('oauth4webapi: refreshTokenGrantRequest + processRefreshTokenResponse', async (t) => {
    const as = await discover(issuer)
    const client: oauth.Client = { client_id: id }
    const clientAuth = oauth.ClientSecretBasic(secret)
    const { token } = await startFamily(issuer, { clientId: id })
    const first = await oauth.processRefreshTokenResponse(as, client, await oauth.refreshTokenGrantRequest(as, client, clientAuth, token, INSECURE))
    t.equal(first.token_type, 'bearer')
    t.equal(first.scope, 'orders:read orders:write')
    t.type(first.refresh_token, 'string')
    const second = await oauth.processRefreshTokenResponse(
      as,
      client,
      await oauth.refreshTokenGrantRequest(as, client, clientAuth, first.refresh_token as string, {
        ...INSECURE,
        additionalParameters: { scope: 'orders:read' },
      }),
    )
    t.equal(second.scope, 'orders:read')
    t.not(second.refresh_token, first.refresh_token)
    const replay = await oauth
      .processRefreshTokenResponse(as, client, await oauth.refreshTokenGrantRequest(as, client, clientAuth, token, INSECURE))
      .catch((error: unknown) => error)
    t.type(replay, oauth.ResponseBodyError)
    t.match(replay, { error: 'invalid_grant', error_description: 'refresh token was already used', status: 400 })
  })
})

for (const kind of STORAGE_KINDS) t.test(`grace window (REFRESH_TOKEN_REUSE_GRACE_SECONDS) on ${storageName(kind)}: a lost response can be retried briefly`, async (t) => {
  const clock = manualClock()
  const issuer = await startIssuerOn(t, kind, { clock, env: { REFRESH_TOKEN_REUSE_GRACE_SECONDS: '5' } })
  const { id, secret } = await issuer.createClient({ grantTypes: ['refresh_token'] })
  const auth = { authorization: basic(id, secret) }
  const { token } = await startFamily(issuer, { clientId: id })
  const lost = await refresh(issuer, token, auth)
  t.equal(lost.status, 200)
  clock.advance(4_000)
  const retried = await refresh(issuer, token, auth)
  t.equal(retried.status, 200, 'within the window the spent token rotates again')
  t.not(retried.body.refresh_token, lost.body.refresh_token)
  t.equal(
    (await issuer.stores.refreshTokens.findByHash(hashToken(lost.body.refresh_token as string)))?.revokedAt?.getTime(),
    clock.now(),
    'the lost child is superseded: a family never has two live heads',
  )
  const moved = await refresh(issuer, retried.body.refresh_token as string, auth)
  t.equal(moved.status, 200)
  const late = await refresh(issuer, token, auth)
  t.same(late.body, { error: 'invalid_grant', error_description: 'refresh token was already used' }, 'not once its successor is used')
  t.same((await refresh(issuer, moved.body.refresh_token as string, auth)).body, {
    error: 'invalid_grant',
    error_description: 'refresh token was revoked',
  })

  const other = await startFamily(issuer, { clientId: id })
  t.equal((await refresh(issuer, other.token, auth)).status, 200)
  clock.advance(5_001)
  const expired = await refresh(issuer, other.token, auth)
  t.same(expired.body, { error: 'invalid_grant', error_description: 'refresh token was already used' }, 'nor after the window')
})

for (const kind of STORAGE_KINDS) t.test(`grace window on ${storageName(kind)}: a superseded token that turns up later is reuse`, async (t) => {
  const clock = manualClock()
  const issuer = await startIssuerOn(t, kind, { clock, env: { REFRESH_TOKEN_REUSE_GRACE_SECONDS: '5' } })
  const { id, secret } = await issuer.createClient({ grantTypes: ['refresh_token'] })
  const auth = { authorization: basic(id, secret) }
  const { token, familyId } = await startFamily(issuer, { clientId: id })
  // Both the client and someone who copied the token present it within the window: one of the two children is
  // superseded. When its holder presents it, the family ends for both.
  const first = await refresh(issuer, token, auth)
  const second = await refresh(issuer, token, auth)
  t.equal(first.status, 200)
  t.equal(second.status, 200)
  const superseded = await refresh(issuer, first.body.refresh_token as string, auth)
  t.same(superseded.body, { error: 'invalid_grant', error_description: 'refresh token was revoked' })
  t.same((await refresh(issuer, second.body.refresh_token as string, auth)).body, {
    error: 'invalid_grant',
    error_description: 'refresh token was revoked',
  })
  const reuse = (await issuer.stores.audit.list(EVENTS.refreshTokenReuseDetected)).filter((e) => e.detail?.familyId === familyId)
  t.equal(reuse.length, 1, 'recorded as reuse')
})

for (const kind of STORAGE_KINDS) t.test(`client authentication on refresh, on ${storageName(kind)}`, async (t) => {
  const issuer = await startIssuerOn(t, kind)
  const { id, secret } = await issuer.createClient({ grantTypes: ['refresh_token'] })
  const { token } = await startFamily(issuer, { clientId: id })

  const anonymous = await refresh(issuer, token, {}, { client_id: id })
  t.equal(anonymous.status, 401, 'a confidential client may not refresh with its client_id alone')
  t.same(anonymous.body, { error: 'invalid_client', error_description: 'client authentication failed' })
  t.equal(anonymous.headers.get('www-authenticate'), null, 'no Basic challenge when Basic was not tried')
  const wrong = await refresh(issuer, token, { authorization: basic(id, 'wrong') })
  t.equal(wrong.status, 401)
  t.same(wrong.body, { error: 'invalid_client', error_description: 'client authentication failed' })
  t.equal(wrong.headers.get('www-authenticate'), 'Basic realm="keymint", charset="UTF-8"')
  const post = await refresh(issuer, token, {}, { client_id: id, client_secret: 'wrong' })
  t.equal(post.status, 401)
  t.equal((await refresh(issuer, token, { authorization: basic(id, secret) })).status, 200, 'failed attempts did not spend the token')

  const config = await openid.discovery(new URL(issuer.url), id, undefined, openid.ClientSecretBasic(secret), {
    execute: [openid.allowInsecureRequests],
    algorithm: 'oauth2',
  })
  const { token: fresh } = await startFamily(issuer, { clientId: id })
  const tokens = await openid.refreshTokenGrant(config, fresh, { scope: 'orders:read' })
  t.equal(tokens.token_type, 'bearer')
  t.equal(tokens.scope, 'orders:read')
  t.type(tokens.refresh_token, 'string')
  const again = await openid.refreshTokenGrant(config, tokens.refresh_token as string)
  t.equal(again.scope, 'orders:read orders:write', 'openid-client rotates again with the whole grant')
  const replay = await openid.refreshTokenGrant(config, fresh).catch((error: unknown) => error)
  t.match(replay, { error: 'invalid_grant', error_description: 'refresh token was already used', status: 400 })
})
