import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose'
import t from 'tap'
import { basic, postToken, startTestIssuer } from '../helpers/issuer.ts'

// POST /oauth/token with grant_type=client_credentials, over real HTTP on real storage; tokens are checked
// the way a resource server checks them: jose's remote JWKS set, found through the metadata.

t.test('client_credentials', async (t) => {
  const issuer = await startTestIssuer(t)
  const { id, secret } = await issuer.createClient()
  const metadata = (await (await fetch(`${issuer.url}/.well-known/oauth-authorization-server`)).json()) as { jwks_uri: string }
  const jwks = createRemoteJWKSet(new URL(metadata.jwks_uri))
  const verify = (token: string, audience = 'https://api.example.com') =>
    jwtVerify(token, jwks, { issuer: issuer.url, audience, algorithms: ['RS256'], typ: 'at+jwt' })

  t.test('client_secret_basic issues an RFC 9068 token that verifies against the JWKS', async (t) => {
    const before = Math.floor(Date.now() / 1000)
    const res = await postToken(issuer.url, { grant_type: 'client_credentials' }, { authorization: basic(id, secret) })
    t.equal(res.status, 200)
    t.equal(res.headers.get('cache-control'), 'no-store')
    t.equal(res.headers.get('pragma'), 'no-cache')
    t.match(res.headers.get('content-type'), /^application\/json/)
    t.same(Object.keys(res.body).sort(), ['access_token', 'expires_in', 'scope', 'token_type'])
    t.equal(res.body.token_type, 'Bearer')
    t.equal(res.body.expires_in, 900)
    t.equal(res.body.scope, 'orders:read orders:write')
    const token = res.body.access_token as string
    const { payload, protectedHeader } = await verify(token)
    t.same(protectedHeader, { alg: 'RS256', typ: 'at+jwt', kid: issuer.deps.keyRing.signer().kid })
    t.equal(payload.iss, issuer.url)
    t.equal(payload.sub, id)
    t.equal(payload.client_id, id)
    t.equal(payload.aud, 'https://api.example.com')
    t.equal(payload.scope, 'orders:read orders:write')
    t.ok((payload.iat as number) >= before && (payload.iat as number) <= before + 5)
    t.equal(payload.exp, (payload.iat as number) + 900)
    t.match(payload.jti, /^[A-Za-z0-9_-]{22}$/)
  })

  t.test('client_secret_post works for a client registered for it, and not the other way round', async (t) => {
    const post = await issuer.createClient({ authMethod: 'client_secret_post' })
    const ok = await postToken(issuer.url, { grant_type: 'client_credentials', client_id: post.id, client_secret: post.secret })
    t.equal(ok.status, 200)
    t.equal((await verify(ok.body.access_token as string)).payload.sub, post.id)
    const viaBasic = await postToken(issuer.url, { grant_type: 'client_credentials' }, { authorization: basic(post.id, post.secret) })
    t.equal(viaBasic.status, 401)
    t.equal(viaBasic.body.error, 'invalid_client')
    const viaPost = await postToken(issuer.url, { grant_type: 'client_credentials', client_id: id, client_secret: secret })
    t.equal(viaPost.status, 401)
    t.equal(viaPost.headers.get('www-authenticate'), null, 'no Basic challenge when Basic was not tried')
    t.equal(viaBasic.headers.get('www-authenticate'), 'Basic realm="keymint", charset="UTF-8"')
  })

  t.test('scope narrows to a subset; anything else is invalid_scope', async (t) => {
    const auth = { authorization: basic(id, secret) }
    const narrow = await postToken(issuer.url, { grant_type: 'client_credentials', scope: 'orders:read' }, auth)
    t.equal(narrow.body.scope, 'orders:read')
    t.equal((await verify(narrow.body.access_token as string)).payload.scope, 'orders:read')
    const wider = await postToken(issuer.url, { grant_type: 'client_credentials', scope: 'orders:read admin' }, auth)
    t.equal(wider.status, 400)
    t.same(wider.body, { error: 'invalid_scope', error_description: 'scope not allowed for this client: admin' })
    const malformed = await postToken(issuer.url, { grant_type: 'client_credentials', scope: 'orders:read  "x"' }, auth)
    t.same(malformed.body, { error: 'invalid_scope', error_description: 'scope is malformed' })
  })

  t.test('resource (RFC 8707) selects the audience among the allowed ones', async (t) => {
    const multi = await issuer.createClient({ audiences: ['https://api.example.com', 'https://billing.example.com'] })
    const auth = { authorization: basic(multi.id, multi.secret) }
    const billing = await postToken(issuer.url, { grant_type: 'client_credentials', resource: 'https://billing.example.com' }, auth)
    t.equal((await verify(billing.body.access_token as string, 'https://billing.example.com')).payload.aud, 'https://billing.example.com')
    const both = await postToken(
      issuer.url,
      { grant_type: 'client_credentials', resource: ['https://api.example.com', 'https://billing.example.com'] },
      auth,
    )
    t.same((await verify(both.body.access_token as string)).payload.aud, ['https://api.example.com', 'https://billing.example.com'])
    const other = await postToken(issuer.url, { grant_type: 'client_credentials', resource: 'https://evil.example.com' }, auth)
    t.same(other.body, { error: 'invalid_target', error_description: 'resource not allowed for this client: https://evil.example.com' })
    const relative = await postToken(issuer.url, { grant_type: 'client_credentials', resource: '/orders' }, auth)
    t.same(relative.body, { error: 'invalid_target', error_description: 'resource must be an absolute URI without a fragment' })
  })

  t.test('Basic credentials are form-urlencoded before base64 (RFC 6749 §2.3.1)', async (t) => {
    const raw = `${id}:${secret}`
    const res = await postToken(issuer.url, { grant_type: 'client_credentials' }, {
      authorization: `Basic ${Buffer.from(raw).toString('base64')}`,
    })
    t.equal(res.status, 200, 'base64url secrets need no escaping')
    const plusForSpace = await postToken(issuer.url, { grant_type: 'client_credentials' }, { authorization: basic(`${id} `, secret) })
    t.equal(plusForSpace.status, 401, 'a decoded trailing space is a different client id')
  })

  t.test('errors follow RFC 6749 §5.2', async (t) => {
    const auth = { authorization: basic(id, secret) }
    // RFC 6749 §5.2: 401 with a Basic challenge when the client tried Basic; 401 without one otherwise.
    const cases: [string, Record<string, string | string[]>, Record<string, string>, number, Record<string, string>][] = [
      ['missing grant_type', {}, auth, 400, { error: 'invalid_request', error_description: 'missing parameter grant_type' }],
      ['empty grant_type counts as missing', { grant_type: '' }, auth, 400, { error: 'invalid_request', error_description: 'missing parameter grant_type' }],
      ['repeated grant_type', { grant_type: ['client_credentials', 'client_credentials'] }, auth, 400, { error: 'invalid_request', error_description: 'parameter grant_type is repeated' }],
      ['repeated scope', { grant_type: 'client_credentials', scope: ['orders:read', 'orders:write'] }, auth, 400, { error: 'invalid_request', error_description: 'parameter scope is repeated' }],
      ['unsupported grant type', { grant_type: 'password' }, auth, 400, { error: 'unsupported_grant_type', error_description: 'grant type password is not supported' }],
      ['no client authentication', { grant_type: 'client_credentials' }, {}, 401, { error: 'invalid_client', error_description: 'client authentication is required' }],
      ['unknown client', { grant_type: 'client_credentials' }, { authorization: basic('nobody', secret) }, 401, { error: 'invalid_client', error_description: 'client authentication failed' }],
      ['wrong secret', { grant_type: 'client_credentials' }, { authorization: basic(id, `${secret}x`) }, 401, { error: 'invalid_client', error_description: 'client authentication failed' }],
      ['malformed Basic', { grant_type: 'client_credentials' }, { authorization: 'Basic !!!' }, 401, { error: 'invalid_client', error_description: 'malformed Basic credentials' }],
      ['two authentication methods', { grant_type: 'client_credentials', client_secret: secret }, auth, 400, { error: 'invalid_request', error_description: 'use only one client authentication method' }],
      ['client_id differing from Basic', { grant_type: 'client_credentials', client_id: 'someone-else' }, auth, 400, { error: 'invalid_request', error_description: 'client_id does not match the Authorization header' }],
      ['public client asking for client_credentials', { grant_type: 'client_credentials', client_id: id }, {}, 401, { error: 'invalid_client', error_description: 'client authentication failed' }],
    ]
    for (const [name, form, headers, status, body] of cases) {
      const res = await postToken(issuer.url, form, headers)
      t.equal(res.status, status, `${name}: status`)
      t.same(res.body, body, `${name}: body`)
      t.equal(res.headers.get('cache-control'), 'no-store', `${name}: no-store`)
      t.equal(
        res.headers.get('www-authenticate'),
        status === 401 && 'authorization' in headers ? 'Basic realm="keymint", charset="UTF-8"' : null,
        `${name}: Basic challenge exactly when Basic was tried`,
      )
    }
  })

  t.test('a client not registered for the grant gets unauthorized_client', async (t) => {
    const other = await issuer.stores.clients.insert({
      id: 'code-only',
      name: 'code only',
      secretHash: issuer.deps.hasher.hash('s3cret-s3cret-s3cret'),
      authMethod: 'client_secret_basic',
      grantTypes: ['authorization_code'],
      scopes: [],
      audiences: ['https://api.example.com'],
      redirectUris: [],
      firstParty: false,
      refreshTokenCookie: false,
      allowedOrigins: [],
    })
    const res = await postToken(issuer.url, { grant_type: 'client_credentials' }, { authorization: basic(other.id, 's3cret-s3cret-s3cret') })
    t.equal(res.status, 400)
    t.same(res.body, { error: 'unauthorized_client', error_description: 'client is not allowed the client_credentials grant' })
  })

  t.test('wrong content types and methods get clean JSON errors', async (t) => {
    const json = await fetch(`${issuer.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: basic(id, secret) },
      body: JSON.stringify({ grant_type: 'client_credentials' }),
    })
    t.equal(json.status, 400)
    t.same(await json.json(), { error: 'invalid_request', error_description: 'content type must be application/x-www-form-urlencoded' })
    const xml = await fetch(`${issuer.url}/oauth/token`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: '<a/>' })
    t.equal(xml.status, 400)
    t.same(await xml.json(), { error: 'invalid_request', error_description: 'unsupported content type "text/xml"' })
    const get = await fetch(`${issuer.url}/oauth/token`)
    t.equal(get.status, 404)
    t.same(await get.json(), { error: 'not_found', error_description: 'no endpoint at GET /oauth/token' })
    const huge = await fetch(`${issuer.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `grant_type=client_credentials&scope=${'a'.repeat(100_000)}`,
    })
    t.equal(huge.status, 413)
    t.same(await huge.json(), { error: 'invalid_request', error_description: 'request body is too large' })
  })

  t.test('every token has its own jti and verifies with the published kid', async (t) => {
    const tokens = await Promise.all(
      Array.from({ length: 10 }, () => postToken(issuer.url, { grant_type: 'client_credentials' }, { authorization: basic(id, secret) })),
    )
    const jtis = new Set<unknown>()
    for (const res of tokens) {
      t.equal(decodeProtectedHeader(res.body.access_token as string).kid, issuer.deps.keyRing.signer().kid)
      jtis.add((await verify(res.body.access_token as string)).payload.jti)
    }
    t.equal(jtis.size, 10)
  })
})
