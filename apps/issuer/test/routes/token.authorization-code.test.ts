import { createHash } from 'node:crypto'
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose'
import * as oauth from 'oauth4webapi'
import * as openid from 'openid-client'
import t from 'tap'
import { createAdminOperations } from '../../src/admin/operations.ts'
import { manualClock } from '../../src/clock.ts'
import { isAccessTokenDenied } from '../../src/tokens/denylist.ts'
import {
  authorizeUrl,
  createCodeClient,
  createUser,
  httpBrowser,
  pkce,
  signInThrough,
  type HttpBrowser,
} from '../helpers/authorization.ts'
import { basic, postToken, startTestIssuer, type TestIssuer } from '../helpers/issuer.ts'
import { refresh } from '../helpers/refresh-tokens.ts'

// POST /oauth/token with grant_type=authorization_code, over real HTTP on real storage. Codes come from the
// real pages (walked with a cookie-keeping fetch); the browser itself is in authorize.browser.test.ts.

const REDIRECT = 'https://app.example.com/callback'
const API = 'https://api.example.com'

t.test('authorization_code at the token endpoint', async (t) => {
  const clock = manualClock()
  const issuer = await startTestIssuer(t, { clock })
  const user = await createUser(issuer, 'Alice@Example.com')
  const confidential = await createCodeClient(issuer, REDIRECT, { firstParty: true, name: 'Confidential app' })
  const publicClient = await createCodeClient(issuer, REDIRECT, { firstParty: true, authMethod: 'none', name: 'Public app' })
  const withRefresh = await createCodeClient(issuer, REDIRECT, { firstParty: true, name: 'Refreshing app', grantTypes: ['authorization_code', 'refresh_token'] })
  const jwks = createRemoteJWKSet(new URL(`${issuer.url}/.well-known/jwks.json`))
  // One signed-in browser session for the whole file: after the first sign-in, authorize answers with a code at once.
  const browser = httpBrowser(issuer)

  t.test('a confidential client exchanges a code for an RFC 9068 token with sub = the user', async (t) => {
    const { verifier, challenge } = pkce()
    const code = await codeFor(issuer, browser, confidential.id, challenge, { state: 'xyz', scope: 'orders:read' })
    const res = await postToken(issuer.url, codeForm(code, verifier), { authorization: basic(confidential.id, confidential.secret) })
    t.equal(res.status, 200)
    t.equal(res.headers.get('cache-control'), 'no-store')
    t.same(Object.keys(res.body).sort(), ['access_token', 'expires_in', 'scope', 'token_type'])
    t.equal(res.body.scope, 'orders:read')
    const { payload } = await jwtVerify(res.body.access_token as string, jwks, {
      issuer: issuer.url,
      audience: API,
      algorithms: ['RS256'],
      typ: 'at+jwt',
      currentDate: new Date(clock.now()),
    })
    t.equal(payload.sub, user.id)
    t.equal(payload.client_id, confidential.id)
    t.equal(payload.scope, 'orders:read')
    t.equal(payload.auth_time, Math.floor(clock.now() / 1000))
  })

  t.test('a public client exchanges its code with client_id and PKCE only', async (t) => {
    const { verifier, challenge } = pkce()
    const code = await codeFor(issuer, browser, publicClient.id, challenge)
    const res = await postToken(issuer.url, codeForm(code, verifier, { client_id: publicClient.id }))
    t.equal(res.status, 200)
    t.equal(decodeJwt(res.body.access_token as string).client_id, publicClient.id)
    t.equal(res.body.scope, 'orders:read orders:write', 'no scope asked: everything the client may have')
  })

  t.test('a public client cannot use client_credentials; a confidential one cannot skip its secret', async (t) => {
    const cc = await postToken(issuer.url, { grant_type: 'client_credentials', client_id: publicClient.id })
    t.equal(cc.status, 400)
    t.same(cc.body, { error: 'unauthorized_client', error_description: 'client is not allowed the client_credentials grant' })

    const { verifier, challenge } = pkce()
    const code = await codeFor(issuer, browser, confidential.id, challenge)
    const res = await postToken(issuer.url, codeForm(code, verifier, { client_id: confidential.id }))
    t.equal(res.status, 401)
    t.same(res.body, { error: 'invalid_client', error_description: 'client authentication failed' })
  })

  t.test('the PKCE verifier must be present, well-formed and right', async (t) => {
    const { verifier, challenge } = pkce()
    const code = await codeFor(issuer, browser, publicClient.id, challenge)
    const exchange = (extra: Record<string, string>) =>
      postToken(issuer.url, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: publicClient.id, ...extra })

    const missing = await exchange({})
    t.same(missing.body, { error: 'invalid_request', error_description: 'missing parameter code_verifier (PKCE is required)' })
    const short = await exchange({ code_verifier: 'too-short' })
    t.same(short.body, { error: 'invalid_request', error_description: 'code_verifier must be 43 to 128 unreserved characters' })

    const wrong = await exchange({ code_verifier: pkce().verifier })
    t.equal(wrong.status, 400)
    t.same(wrong.body, { error: 'invalid_grant', error_description: 'code_verifier does not match the code_challenge' })
    const afterwards = await exchange({ code_verifier: verifier })
    t.same(afterwards.body, { error: 'invalid_grant', error_description: 'authorization code is invalid, expired or already used' }, 'a failed attempt spends the code')
  })

  t.test('a malformed request does not spend the code', async (t) => {
    const { verifier, challenge } = pkce()
    const code = await codeFor(issuer, browser, publicClient.id, challenge)
    const bad = await postToken(issuer.url, { grant_type: 'authorization_code', code, client_id: publicClient.id })
    t.equal(bad.body.error, 'invalid_request')
    const good = await postToken(issuer.url, codeForm(code, verifier, { client_id: publicClient.id }))
    t.equal(good.status, 200)
  })

  t.test('a reused code is invalid_grant and revokes the token its first use issued (RFC 6749 §4.1.2)', async (t) => {
    const { verifier, challenge } = pkce()
    const code = await codeFor(issuer, browser, publicClient.id, challenge)
    const form = codeForm(code, verifier, { client_id: publicClient.id })
    const first = await postToken(issuer.url, form)
    t.equal(first.status, 200)
    const jti = decodeJwt(first.body.access_token as string).jti as string
    t.notOk(await isAccessTokenDenied(jti, { ...issuer.stores, clock }))

    const second = await postToken(issuer.url, form)
    t.equal(second.status, 400)
    t.same(second.body, { error: 'invalid_grant', error_description: 'authorization code is invalid, expired or already used' })
    t.ok(await isAccessTokenDenied(jti, { ...issuer.stores, clock }), 'the first access token is on the denylist')
    const events = await issuer.stores.audit.list('authorization_code.replayed')
    t.equal(events.length, 1)
    t.match(events[0], { clientId: publicClient.id, detail: { jti, refreshTokensRevoked: 0 } })
  })

  t.test('a client allowed refresh_token gets a refresh token that rotates', async (t) => {
    const { verifier, challenge } = pkce()
    const code = await codeFor(issuer, browser, withRefresh.id, challenge, { scope: 'orders:read' })
    const auth = { authorization: basic(withRefresh.id, withRefresh.secret) }
    const res = await postToken(issuer.url, codeForm(code, verifier), auth)
    t.equal(res.status, 200)
    t.same(Object.keys(res.body).sort(), ['access_token', 'expires_in', 'refresh_token', 'scope', 'token_type'])
    t.match(res.body.refresh_token, /^[A-Za-z0-9_-]{43}$/, '256 random bits')
    const stored = await issuer.stores.refreshTokens.findByHash(createHash('sha256').update(res.body.refresh_token as string).digest('base64url'))
    t.match(stored, { clientId: withRefresh.id, userId: user.id, scopes: ['orders:read'], audiences: [API], parentHash: null })
    const rotated = await refresh(issuer, res.body.refresh_token as string, auth)
    t.equal(rotated.status, 200)
    t.equal(decodeJwt(rotated.body.access_token as string).sub, user.id, 'the refreshed token is still the user\'s')
  })

  t.test('a reused code also revokes the refresh-token family its first use started', async (t) => {
    const { verifier, challenge } = pkce()
    const code = await codeFor(issuer, browser, withRefresh.id, challenge)
    const auth = { authorization: basic(withRefresh.id, withRefresh.secret) }
    const form = codeForm(code, verifier)
    const first = await postToken(issuer.url, form, auth)
    t.equal(first.status, 200)
    const rotated = await refresh(issuer, first.body.refresh_token as string, auth)
    t.equal(rotated.status, 200, 'the family has grown by one before the replay')

    const replay = await postToken(issuer.url, form, auth)
    t.same(replay.body, { error: 'invalid_grant', error_description: 'authorization code is invalid, expired or already used' })
    t.ok(await isAccessTokenDenied(decodeJwt(first.body.access_token as string).jti as string, { ...issuer.stores, clock }))
    const latest = await refresh(issuer, rotated.body.refresh_token as string, auth)
    t.equal(latest.status, 400)
    t.equal(latest.body.error, 'invalid_grant', 'the newest refresh token of the family is revoked too')
    const events = await issuer.stores.audit.list('authorization_code.replayed')
    t.match(events.at(-1), { clientId: withRefresh.id, detail: { refreshTokensRevoked: 2 } })
  })

  t.test('concurrent redemptions of one code: at most one gets tokens, and none of them survive', async (t) => {
    const { verifier, challenge } = pkce()
    const code = await codeFor(issuer, browser, withRefresh.id, challenge)
    const auth = { authorization: basic(withRefresh.id, withRefresh.secret) }
    const form = codeForm(code, verifier)
    const results = await Promise.all(Array.from({ length: 10 }, () => postToken(issuer.url, form, auth)))
    const issued = results.filter((res) => res.status === 200)
    t.ok(issued.length <= 1, `${issued.length} of 10 got tokens`)
    for (const res of results.filter((res) => res.status !== 200)) t.equal(res.body.error, 'invalid_grant')
    for (const res of issued) {
      t.ok(await isAccessTokenDenied(decodeJwt(res.body.access_token as string).jti as string, { ...issuer.stores, clock }), 'its access token is denied')
      t.equal((await refresh(issuer, res.body.refresh_token as string, auth)).body.error, 'invalid_grant', 'its refresh token is revoked')
    }
  })

  t.test('codes live 60 seconds', async (t) => {
    const fresh = pkce()
    const young = await codeFor(issuer, browser, publicClient.id, fresh.challenge)
    clock.advance(59_000)
    const inTime = await postToken(issuer.url, codeForm(young, fresh.verifier, { client_id: publicClient.id }))
    t.equal(inTime.status, 200, 'still good after 59 s')

    const { verifier, challenge } = pkce()
    const code = await codeFor(issuer, browser, publicClient.id, challenge)
    clock.advance(61_000)
    const res = await postToken(issuer.url, codeForm(code, verifier, { client_id: publicClient.id }))
    t.equal(res.status, 400)
    t.same(res.body, { error: 'invalid_grant', error_description: 'authorization code has expired' })
  })

  t.test('redirect_uri must repeat the one of the authorization request', async (t) => {
    const cases: [string, Record<string, string>, string][] = [
      ['another redirect_uri', { redirect_uri: 'https://app.example.com/other' }, 'redirect_uri does not match the authorization request'],
      ['none at all', {}, 'redirect_uri is required: the authorization request had one'],
    ]
    for (const [name, extra, description] of cases) {
      const { verifier, challenge } = pkce()
      const code = await codeFor(issuer, browser, publicClient.id, challenge)
      const res = await postToken(issuer.url, { grant_type: 'authorization_code', code, code_verifier: verifier, client_id: publicClient.id, ...extra })
      t.same(res.body, { error: 'invalid_grant', error_description: description }, name)
    }
    // Left out of the authorization request (a single registered URI): then it may be left out here too.
    const { verifier, challenge } = pkce()
    const code = await codeFor(issuer, browser, publicClient.id, challenge, { redirect_uri: undefined })
    const res = await postToken(issuer.url, { grant_type: 'authorization_code', code, code_verifier: verifier, client_id: publicClient.id })
    t.equal(res.status, 200)
  })

  t.test('a user disabled after the code was issued gets no tokens from it', async (t) => {
    const other = httpBrowser(issuer)
    const pat = await createUser(issuer, 'pat@example.com')
    const { verifier, challenge } = pkce()
    const signedIn = await signInThrough(other, authorizeUrl(issuer, request(publicClient.id, challenge)), 'pat@example.com')
    const code = new URL(signedIn.location as string).searchParams.get('code') as string
    await createAdminOperations(issuer.deps).disableUser(pat.id)
    const res = await postToken(issuer.url, codeForm(code, verifier, { client_id: publicClient.id }))
    t.equal(res.status, 400)
    t.same(res.body, { error: 'invalid_grant', error_description: 'the user of this authorization code is no longer active' })
  })

  t.test('a code only works for the client it was issued to', async (t) => {
    const { verifier, challenge } = pkce()
    const code = await codeFor(issuer, browser, publicClient.id, challenge)
    const res = await postToken(issuer.url, codeForm(code, verifier), { authorization: basic(confidential.id, confidential.secret) })
    t.same(res.body, { error: 'invalid_grant', error_description: 'authorization code was issued to another client' })
    const unknown = await postToken(issuer.url, { grant_type: 'authorization_code', code: 'made-up', code_verifier: verifier, client_id: publicClient.id })
    t.same(unknown.body, { error: 'invalid_grant', error_description: 'authorization code is invalid, expired or already used' })
  })

  t.test('resource (RFC 8707) at the token endpoint narrows what was authorized', async (t) => {
    const multi = await createCodeClient(issuer, REDIRECT, {
      firstParty: true,
      authMethod: 'none',
      audiences: [API, 'https://billing.example.com'],
    })
    const { verifier, challenge } = pkce()
    const code = await codeFor(issuer, browser, multi.id, challenge, { resource: [API, 'https://billing.example.com'] })
    const form = codeForm(code, verifier, { client_id: multi.id })
    const res = await postToken(issuer.url, { ...form, resource: 'https://billing.example.com' })
    t.equal(decodeJwt(res.body.access_token as string).aud, 'https://billing.example.com')

    const second = pkce()
    const other = await codeFor(issuer, browser, multi.id, second.challenge)
    const refused = await postToken(issuer.url, { ...form, code: other, code_verifier: second.verifier, resource: 'https://billing.example.com' })
    t.same(refused.body, { error: 'invalid_target', error_description: 'resource was not granted by the authorization request: https://billing.example.com' })
  })

  t.test('openid-client and oauth4webapi accept the whole exchange (state, iss, PKCE)', async (t) => {
    const config = await openid.discovery(new URL(issuer.url), publicClient.id, undefined, openid.None(), {
      execute: [openid.allowInsecureRequests],
      algorithm: 'oauth2',
    })
    const verifier = openid.randomPKCECodeVerifier()
    const state = openid.randomState()
    const url = openid.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'orders:read',
      state,
      code_challenge: await openid.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    })
    const callback = await follow(browser, url.href)
    t.equal(callback.searchParams.get('iss'), issuer.url)
    const tokens = await openid.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state })
    t.equal(tokens.token_type, 'bearer')
    t.equal(tokens.scope, 'orders:read')

    const as = await oauth.processDiscoveryResponse(
      new URL(issuer.url),
      await oauth.discoveryRequest(new URL(issuer.url), { algorithm: 'oauth2', [oauth.allowInsecureRequests]: true }),
    )
    const client: oauth.Client = { client_id: confidential.id }
    const pair = pkce()
    const state2 = oauth.generateRandomState()
    const params = oauth.validateAuthResponse(
      as,
      client,
      await follow(browser, authorizeUrl(issuer, { ...request(confidential.id, pair.challenge), state: state2 })),
      state2,
    )
    const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.ClientSecretBasic(confidential.secret), params, REDIRECT, pair.verifier, {
      [oauth.allowInsecureRequests]: true,
    })
    const result = await oauth.processAuthorizationCodeResponse(as, client, response)
    const claims = await oauth.validateJwtAccessToken(
      as,
      new Request(`${API}/orders`, { headers: { authorization: `Bearer ${result.access_token}` } }),
      API,
      { [oauth.allowInsecureRequests]: true },
    )
    t.equal(claims.sub, user.id)
  })
})

/** The token request for a code: the redirect_uri of its authorization request and the PKCE verifier, plus `extra`. */
function codeForm(code: string, verifier: string, extra: Record<string, string> = {}): Record<string, string> {
  return { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier, ...extra }
}

function request(clientId: string, challenge: string, extra: Record<string, string | string[] | undefined> = {}) {
  return {
    response_type: 'code',
    client_id: clientId,
    redirect_uri: REDIRECT,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: 'state-1',
    ...extra,
  }
}

/** Follows the authorization request through the pages (signing in once per session) to the client's redirect. */
async function follow(browser: HttpBrowser, url: string): Promise<URL> {
  const start = await browser.get(url)
  const done = start.location?.startsWith('/sign-in') ? await signInThrough(browser, url, 'alice@example.com') : start
  if (done.location === undefined || !done.location.startsWith(REDIRECT)) throw new Error(`no redirect to the client: ${done.status} ${done.location} ${done.body}`)
  return new URL(done.location)
}

async function codeFor(
  issuer: TestIssuer,
  browser: HttpBrowser,
  clientId: string,
  challenge: string,
  extra: Record<string, string | string[] | undefined> = {},
): Promise<string> {
  const callback = await follow(browser, authorizeUrl(issuer, request(clientId, challenge, extra)))
  const code = callback.searchParams.get('code')
  if (code === null) throw new Error(`no code: ${callback.href}`)
  return code
}
