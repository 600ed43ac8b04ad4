import { createRemoteJWKSet, jwtVerify } from 'jose'
import t, { type Test } from 'tap'
import { EVENTS } from '../../src/events.ts'
import { basic, postToken, startTestIssuer } from '../helpers/issuer.ts'
import { postForm, refresh, startFamily } from '../helpers/refresh-tokens.ts'

// POST /oauth/revoke (RFC 7009) over real HTTP: a client revokes its own tokens; everything else is a
// quiet 200 with an empty body, and the effect is checked through introspection and the token endpoint.

t.test('revocation', async (t) => {
  const issuer = await startTestIssuer(t)
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

  t.test('another client’s tokens are left alone, and the answer is the same', async (t) => {
    const token = await accessToken()
    const { token: refreshToken } = await startFamily(issuer, { clientId: id })
    quiet(t, await revoke({ token }, otherAuth), 'access token of another client')
    quiet(t, await revoke({ token: refreshToken }, otherAuth), 'refresh token of another client')
    t.equal(await active(token), true)
    t.equal(await active(refreshToken), true)
    t.equal((await refresh(issuer, refreshToken, auth)).status, 200)
  })

  t.test('unknown and garbage tokens: 200, empty', async (t) => {
    for (const token of ['unknown', 'x'.repeat(43), 'a.b.c', 'eyJhbGciOiJub25lIn0.e30.']) quiet(t, await revoke({ token }), token)
  })

  t.test('a public client revokes its own refresh token with its client_id', async (t) => {
    const spa = await issuer.createClient({
      authMethod: 'none',
      grantTypes: ['authorization_code', 'refresh_token'],
      redirectUris: ['https://app.example.com/callback'],
    })
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
