import { exportJWK, generateKeyPair, importPKCS8, SignJWT } from 'jose'
import * as oauth from 'oauth4webapi'
import * as openid from 'openid-client'
import t, { type Test } from 'tap'
import { manualClock } from '../../src/clock.ts'
import { readPrivateKey } from '../../src/keys/key-files.ts'
import { createSigner } from '../../src/keys/signer.ts'
import { hashToken } from '../../src/tokens/hash.ts'
import { basic, postToken } from '../helpers/issuer.ts'
import { createPublicClient, discover, INSECURE, postForm, refresh, startFamily, startIssuerOn, STORAGE_KINDS, storageName } from '../helpers/refresh-tokens.ts'

// POST /oauth/introspect (RFC 7662) over real HTTP, on PostgreSQL + Redis and on the embedded default:
// { active: true, ... } only for a live token, and exactly { active: false } for every other state, including
// tokens signed with our own key that break one rule. `rs` stands for a resource server: a confidential client
// of its own that introspects tokens issued to others.

for (const kind of STORAGE_KINDS) t.test(`introspection on ${storageName(kind)}`, async (t) => {
  const clock = manualClock()
  const issuer = await startIssuerOn(t, kind, { clock })
  const { id, secret } = await issuer.createClient({ grantTypes: ['client_credentials', 'refresh_token'] })
  const auth = { authorization: basic(id, secret) }
  const rs = await issuer.createClient()
  const introspect = (token: string, headers: Record<string, string> = auth, form: Record<string, string> = {}) =>
    postForm(`${issuer.url}/oauth/introspect`, { token, ...form }, headers)
  const accessToken = async () => (await postToken(issuer.url, { grant_type: 'client_credentials', scope: 'orders:read' }, auth)).body.access_token as string
  const inactive = async (t: Test, token: string, what: string, headers = auth) => {
    const res = await introspect(token, headers)
    t.equal(res.status, 200, `${what}: 200`)
    t.strictSame(res.body, { active: false }, `${what}: { active: false } and nothing else`)
    t.equal(res.headers.get('cache-control'), 'no-store', `${what}: no-store`)
  }
  const kid = issuer.deps.keyRing.signer().kid
  const now = () => Math.floor(clock.now() / 1000)
  const claims = () => ({ iss: issuer.url, sub: id, aud: 'https://api.example.com', exp: now() + 600, iat: now(), jti: `j-${Math.random()}`, client_id: id })

  t.test('a live access token, for any confidential client', async (t) => {
    const token = await accessToken()
    for (const headers of [auth, { authorization: basic(rs.id, rs.secret) }]) {
      const res = await introspect(token, headers)
      t.equal(res.status, 200)
      t.equal(res.headers.get('cache-control'), 'no-store')
      t.match(res.headers.get('content-type'), /^application\/json/)
      t.same(Object.keys(res.body ?? {}), ['active', 'scope', 'client_id', 'token_type', 'sub', 'aud', 'iss', 'exp', 'iat', 'jti'])
      t.match(res.body, {
        active: true,
        scope: 'orders:read',
        client_id: id,
        token_type: 'Bearer',
        sub: id,
        aud: 'https://api.example.com',
        iss: issuer.url,
        exp: now() + 900,
        iat: now(),
        jti: /^[A-Za-z0-9_-]{22}$/,
      })
    }
  })

  t.test('a live refresh token, for the client it was issued to only', async (t) => {
    const { token } = await startFamily(issuer, { clientId: id })
    const res = await introspect(token)
    t.strictSame(res.body, {
      active: true,
      scope: 'orders:read orders:write',
      client_id: id,
      token_type: 'N_A',
      sub: 'user-1',
      aud: 'https://api.example.com',
      iss: issuer.url,
      exp: now() + 14 * 86_400,
      iat: now(),
      jti: hashToken(token),
    })
    t.match((res.body as { jti: string }).jti, /^[A-Za-z0-9_-]{43}$/)
    const hinted = await introspect(token, auth, { token_type_hint: 'refresh_token' })
    t.equal(hinted.body?.active, true)
    await inactive(t, token, 'another client', { authorization: basic(rs.id, rs.secret) })
  })

  t.test('spent, revoked and expired refresh tokens are inactive', async (t) => {
    const { token } = await startFamily(issuer, { clientId: id })
    const next = (await refresh(issuer, token, auth)).body.refresh_token as string
    await inactive(t, token, 'spent')
    t.equal((await introspect(next)).body?.active, true, 'introspecting does not spend')
    t.equal((await postForm(`${issuer.url}/oauth/revoke`, { token: next }, auth)).status, 200)
    await inactive(t, next, 'revoked')
    const idle = await startFamily(issuer, { clientId: id })
    clock.advance(14 * 86_400_000)
    await inactive(t, idle.token, 'idle-expired')
  })

  t.test('expired and denylisted access tokens are inactive, to the resource server too', async (t) => {
    const rsAuth = { authorization: basic(rs.id, rs.secret) }
    const expiring = await accessToken()
    const revoked = await accessToken()
    t.equal((await introspect(revoked, rsAuth)).body?.active, true, 'live before')
    t.equal((await postForm(`${issuer.url}/oauth/revoke`, { token: revoked, token_type_hint: 'access_token' }, auth)).status, 200)
    await inactive(t, revoked, 'denylisted')
    await inactive(t, revoked, 'denylisted, asked by the resource server', rsAuth)
    clock.advance(899_000)
    t.equal((await introspect(expiring, rsAuth)).body?.active, true, 'one second before exp')
    await inactive(t, revoked, 'still denylisted one second before exp', rsAuth)
    clock.advance(1_000)
    await inactive(t, expiring, 'expired', rsAuth)
  })

  t.test('forged and malformed tokens are inactive', async (t) => {
    const { privateKey, publicKey } = await generateKeyPair('RS256')
    const forge = (header: Record<string, unknown>) =>
      new SignJWT(claims()).setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', ...header }).sign(privateKey)
    await inactive(t, await forge({ kid }), 'another key under our kid')
    await inactive(t, await forge({ kid: 'unknown' }), 'an unknown kid')
    const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
    await inactive(t, `${part({ alg: 'none', typ: 'at+jwt', kid })}.${part(claims())}.`, 'alg none')
    const { n } = await exportJWK(publicKey)
    const hs = await new SignJWT(claims()).setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid }).sign(new TextEncoder().encode(n))
    await inactive(t, hs, 'HS256')
    for (const garbage of ['garbage', 'a.b.c', ' ', 'x'.repeat(5000)]) await inactive(t, garbage, `garbage ${garbage.slice(0, 10)}`)
  })

  t.test('our own key, but one rule broken: inactive', async (t) => {
    const pem = await readPrivateKey(issuer.keysDir, kid)
    const ours = await createSigner(kid, pem)
    const good = await ours.sign(claims(), 'at+jwt')
    t.equal((await introspect(good)).body?.active, true, 'the control case is active')
    await inactive(t, await ours.sign(claims(), 'JWT'), 'typ JWT')
    await inactive(t, await ours.sign({ ...claims(), iss: 'https://other.example.com' }, 'at+jwt'), 'another issuer')
    await inactive(t, await ours.sign({ ...claims(), exp: now() - 1 }, 'at+jwt'), 'expired')
    for (const claim of ['exp', 'iat', 'jti', 'sub', 'aud', 'client_id'] as const) {
      const { [claim]: _dropped, ...rest } = claims()
      await inactive(t, await ours.sign(rest, 'at+jwt'), `without ${claim}`)
    }
    const noKid = await new SignJWT(claims()).setProtectedHeader({ alg: 'RS256', typ: 'at+jwt' }).sign(await importPKCS8(pem, 'RS256'))
    await inactive(t, noKid, 'no kid')
  })

  t.test('errors: client authentication, missing token, content type', async (t) => {
    const missing = await postForm(`${issuer.url}/oauth/introspect`, {}, auth)
    t.equal(missing.status, 400)
    t.same(missing.body, { error: 'invalid_request', error_description: 'missing parameter token' })
    const anonymous = await introspect('x', {})
    t.equal(anonymous.status, 401)
    t.same(anonymous.body, { error: 'invalid_client', error_description: 'client authentication is required' })
    const wrong = await introspect('x', { authorization: basic(id, 'nope') })
    t.equal(wrong.status, 401)
    t.equal(wrong.headers.get('www-authenticate'), 'Basic realm="keymint", charset="UTF-8"')
    const spa = await createPublicClient(issuer)
    const publicClient = await postForm(`${issuer.url}/oauth/introspect`, { token: 'x', client_id: spa.id })
    t.equal(publicClient.status, 401)
    t.same(publicClient.body, { error: 'invalid_client', error_description: 'introspection needs an authenticated client' })
    const json = await fetch(`${issuer.url}/oauth/introspect`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ token: 'x' }),
    })
    t.equal(json.status, 400)
    t.same(await json.json(), { error: 'invalid_request', error_description: 'content type must be application/x-www-form-urlencoded' })
  })

  t.test('openid-client: tokenIntrospection and tokenRevocation', async (t) => {
    const config = await openid.discovery(new URL(issuer.url), id, undefined, openid.ClientSecretBasic(secret), {
      execute: [openid.allowInsecureRequests],
      algorithm: 'oauth2',
    })
    const token = await accessToken()
    const live = await openid.tokenIntrospection(config, token)
    t.match(live, { active: true, client_id: id, sub: id, scope: 'orders:read', token_type: 'Bearer' })
    const { token: refreshToken } = await startFamily(issuer, { clientId: id })
    t.match(await openid.tokenIntrospection(config, refreshToken, { token_type_hint: 'refresh_token' }), { active: true, sub: 'user-1' })
    await openid.tokenRevocation(config, token)
    await openid.tokenRevocation(config, refreshToken, { token_type_hint: 'refresh_token' })
    t.strictSame({ ...(await openid.tokenIntrospection(config, token)) }, { active: false })
    t.strictSame({ ...(await openid.tokenIntrospection(config, refreshToken)) }, { active: false })
    await t.resolves(openid.tokenRevocation(config, 'not-a-token'), 'unknown tokens revoke without error')
  })

  t.test('oauth4webapi: introspectionRequest + processIntrospectionResponse, as a resource server', async (t) => {
    const as = await discover(issuer)
    t.equal(as.introspection_endpoint, `${issuer.url}/oauth/introspect`)
    const postRs = await issuer.createClient({ authMethod: 'client_secret_post' })
    const client: oauth.Client = { client_id: postRs.id }
    const clientAuth = oauth.ClientSecretPost(postRs.secret)
    const introspectWith = async (token: string) =>
      oauth.processIntrospectionResponse(as, client, await oauth.introspectionRequest(as, client, clientAuth, token, INSECURE))
    const token = await accessToken()
    t.match(await introspectWith(token), { active: true, client_id: id, token_type: 'Bearer', iss: issuer.url, aud: 'https://api.example.com' })
    t.strictSame({ ...(await introspectWith('garbage')) }, { active: false })
    const denied = await oauth
      .processIntrospectionResponse(as, client, await oauth.introspectionRequest(as, client, oauth.ClientSecretPost('wrong'), token, INSECURE))
      .catch((error: unknown) => error)
    t.match(denied, { error: 'invalid_client', status: 401 })
  })
})
