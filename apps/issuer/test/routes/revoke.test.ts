import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose'
import * as oauth from 'oauth4webapi'
import t, { type Test } from 'tap'
import { manualClock } from '../../src/clock.ts'
import { EVENTS } from '../../src/events.ts'
import { basic, postToken } from '../helpers/issuer.ts'
import { createPublicClient, discover, INSECURE, postForm, refresh, startFamily, startIssuerOn, STORAGE_KINDS, storageName } from '../helpers/refresh-tokens.ts'

// POST /oauth/revoke (RFC 7009) over real HTTP, on PostgreSQL + Redis and on the embedded default: a client
// revokes its own tokens; unknown and dead tokens get a quiet 200 with an empty body; a live token of another
// client is refused. The effect is checked through introspection and the token endpoint.

for (const kind of STORAGE_KINDS) t.test(`revocation on ${storageName(kind)}`, async (t) => {
  const clock = manualClock()
  const issuer = await startIssuerOn(t, kind, { clock })
  const { id, secret } = await issuer.createClient({ grantTypes: ['client_credentials', 'refresh_token'] })
  const auth = { authorization: basic(id, secret) }
  const other = await issuer.createClient({ grantTypes: ['client_credentials', 'refresh_token'] })
  const otherAuth = { authorization: basic(other.id, other.secret) }
  const revoke = (form: Record<string, string>, headers: Record<string, string> = auth) => postForm(`${issuer.url}/oauth/revoke`, form, headers)
  const active = async (token: string) => (await postForm(`${issuer.url}/oauth/introspect`, { token }, auth)).body?.active
  const accessToken = async () => (await postToken(issuer.url, { grant_type: 'client_credentials' }, auth)).body.access_token as string
  const quiet = (t: Test, res: Awaited<ReturnType<typeof revoke>>, what: string) => {
    t.equal(res.status, 200, `${what}: 200`)
    t.equal(res.text, '', `${what}: empty body`)
    t.equal(res.headers.get('cache-control'), 'no-store', `${what}: no-store`)
  }

  t.test('a refresh token takes its whole family with it', async (t) => {
    const { token, familyId } = await startFamily(issuer, { clientId: id })
    const child = (await refresh(issuer, token, auth)).body.refresh_token as string
    quiet(t, await revoke({ token: child, token_type_hint: 'refresh_token' }), 'revoke')
    t.equal(await active(child), false)
    t.same((await refresh(issuer, child, auth)).body, { error: 'invalid_grant', error_description: 'refresh token was revoked' })
    const events = (await issuer.stores.audit.list(EVENTS.refreshTokenFamilyRevoked)).filter((e) => e.detail?.familyId === familyId)
    t.match(events, [{ clientId: id, userId: 'user-1', detail: { reason: 'revocation', tokens: 2 } }])
    quiet(t, await revoke({ token: child }), 'revoking again')
  })

  t.test('an access token is denylisted until it expires', async (t) => {
    const token = await accessToken()
    t.equal(await active(token), true)
    quiet(t, await revoke({ token, token_type_hint: 'access_token' }), 'revoke')
    t.equal(await active(token), false)
    // A resource server that only checks the signature still accepts it: access tokens are short-lived on purpose.
    const jwks = createRemoteJWKSet(new URL(`${issuer.url}/.well-known/jwks.json`))
    await t.resolves(jwtVerify(token, jwks, { issuer: issuer.url, typ: 'at+jwt', algorithms: ['RS256'] }))
  })

  t.test('the hint is only a hint', async (t) => {
    const token = await accessToken()
    quiet(t, await revoke({ token, token_type_hint: 'refresh_token' }), 'access token hinted as refresh token')
    t.equal(await active(token), false)
    const { token: refreshToken } = await startFamily(issuer, { clientId: id })
    quiet(t, await revoke({ token: refreshToken, token_type_hint: 'access_token' }), 'refresh token hinted as access token')
    t.equal(await active(refreshToken), false)
    const unsupported = await accessToken()
    quiet(t, await revoke({ token: unsupported, token_type_hint: 'id_token' }), 'an unknown hint is ignored')
    t.equal(await active(unsupported), false)
  })

  t.test('a live token of another client is refused (§2.1) and left alone', async (t) => {
    const token = await accessToken()
    const { token: refreshToken } = await startFamily(issuer, { clientId: id })
    for (const [what, form] of [
      ['access token', { token }],
      ['refresh token', { token: refreshToken }],
      ['refresh token, hinted', { token: refreshToken, token_type_hint: 'refresh_token' }],
    ] as const) {
      const res = await revoke(form, otherAuth)
      t.equal(res.status, 400, what)
      t.same(res.body, { error: 'invalid_request', error_description: 'the token was issued to another client' }, what)
    }
    t.equal(await active(token), true)
    t.equal(await active(refreshToken), true)
    const spent = (await refresh(issuer, refreshToken, auth)).body.refresh_token as string
    t.equal((await revoke({ token: refreshToken }, otherAuth)).status, 400, 'a spent token: its family lives on')
    t.equal((await revoke({ token: spent }, auth)).status, 200)
    quiet(t, await revoke({ token: spent }, otherAuth), 'a revoked token of another client is just an invalid token')
  })

  t.test('a revoked access token stays revoked until exp, then is simply expired', async (t) => {
    const token = await accessToken()
    quiet(t, await revoke({ token }), 'revoke')
    clock.advance(899_000)
    t.equal(await active(token), false, 'one second before exp')
    t.equal(await issuer.stores.revokedAccessTokens.isRevoked(decodeJwt(token).jti as string, new Date(clock.now())), true, 'durably, in the database')
    clock.advance(1_000)
    t.equal(await active(token), false, 'at exp')
    quiet(t, await revoke({ token }), 'revoking an expired token')
  })

  t.test('oauth4webapi: revocationRequest + processRevocationResponse', async (t) => {
    const as = await discover(issuer)
    t.equal(as.revocation_endpoint, `${issuer.url}/oauth/revoke`)
    const client: oauth.Client = { client_id: id }
    const { token } = await startFamily(issuer, { clientId: id })
    const res = await oauth.revocationRequest(as, client, oauth.ClientSecretBasic(secret), token, {
      ...INSECURE,
      additionalParameters: { token_type_hint: 'refresh_token' },
    })
    t.equal(await oauth.processRevocationResponse(res), undefined)
    t.equal(await active(token), false)
    const refused = await oauth
      .processRevocationResponse(await oauth.revocationRequest(as, client, oauth.ClientSecretBasic('wrong'), token, INSECURE))
      .catch((error: unknown) => error)
    // A 401 to HTTP Basic carries a Basic challenge (RFC 6749 §5.2), which oauth4webapi surfaces as such.
    t.type(refused, oauth.WWWAuthenticateChallengeError)
    t.match(refused, { status: 401, cause: [{ scheme: 'basic', parameters: { realm: 'keymint' } }] })
  })

  t.test('unknown and garbage tokens: 200, empty', async (t) => {
    for (const token of ['unknown', 'x'.repeat(43), 'a.b.c', 'eyJhbGciOiJub25lIn0.e30.']) quiet(t, await revoke({ token }), token)
  })

  t.test('a public client revokes its own refresh token with its client_id', async (t) => {
    const spa = await createPublicClient(issuer)
    const { token } = await startFamily(issuer, { clientId: spa.id })
    quiet(t, await revoke({ token, client_id: spa.id }, {}), 'public client')
    t.same((await refresh(issuer, token, {}, { client_id: spa.id })).body, { error: 'invalid_grant', error_description: 'refresh token was revoked' })
  })

  t.test('errors', async (t) => {
    const missing = await revoke({})
    t.equal(missing.status, 400)
    t.same(missing.body, { error: 'invalid_request', error_description: 'missing parameter token' })
    const empty = await revoke({ token: '' })
    t.same(empty.body, { error: 'invalid_request', error_description: 'missing parameter token' })
    const anonymous = await revoke({ token: 'x' }, {})
    t.equal(anonymous.status, 401)
    t.same(anonymous.body, { error: 'invalid_client', error_description: 'client authentication is required' })
    const wrong = await revoke({ token: 'x' }, { authorization: basic(id, 'nope') })
    t.equal(wrong.status, 401)
    t.same(wrong.body, { error: 'invalid_client', error_description: 'client authentication failed' })
    t.equal(wrong.headers.get('www-authenticate'), 'Basic realm="keymint", charset="UTF-8"')
    const both = await revoke({ token: 'x', client_secret: secret })
    t.same(both.body, { error: 'invalid_request', error_description: 'use only one client authentication method' })
    const json = await fetch(`${issuer.url}/oauth/revoke`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{}' })
    t.equal(json.status, 400)
    t.same(await json.json(), { error: 'invalid_request', error_description: 'content type must be application/x-www-form-urlencoded' })
  })
})
