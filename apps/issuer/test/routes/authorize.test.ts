import t, { type Test } from 'tap'
import { createAdminOperations } from '../../src/admin/operations.ts'
import {
  authorizeUrl,
  consent,
  createCodeClient,
  createUser,
  hiddenFields,
  httpBrowser,
  pkce,
  signInThrough,
  type Page,
} from '../helpers/authorization.ts'
import { startTestIssuer } from '../helpers/issuer.ts'

// GET /oauth/authorize and the pages after it, over real HTTP with a cookie-keeping fetch: which errors are
// pages and which go back to the client, consent remembered, sign-out, and the pages' security headers.

const REDIRECT = 'https://app.example.com/callback'

t.test('authorization endpoint', async (t) => {
  const issuer = await startTestIssuer(t)
  await createUser(issuer, 'bob@example.com')
  const client = await createCodeClient(issuer, REDIRECT, { authMethod: 'none' })
  const twoUris = await createCodeClient(issuer, REDIRECT, { redirectUris: [REDIRECT, 'https://app.example.com/other'] })
  const { challenge } = pkce()
  const valid = { response_type: 'code', client_id: client.id, redirect_uri: REDIRECT, code_challenge: challenge, code_challenge_method: 'S256', state: 's-1' }

  t.test('an unknown client or redirect_uri gets an error page, never a redirect', async (t) => {
    const cases: [string, Record<string, string | string[] | undefined>, string][] = [
      ['no client_id', { client_id: undefined }, 'The request has no client_id.'],
      ['unknown client', { client_id: 'nobody' }, 'The application (client_id) is not registered here.'],
      ['unregistered redirect_uri', { redirect_uri: 'https://evil.example.com/callback' }, 'Redirect_uri is not registered for this application.'],
      ['redirect_uri differing in case', { redirect_uri: REDIRECT.toUpperCase() }, 'Redirect_uri is not registered for this application.'],
      ['redirect_uri with an extra query', { redirect_uri: `${REDIRECT}?x=1` }, 'Redirect_uri is not registered for this application.'],
      ['repeated client_id', { client_id: [client.id, client.id] }, 'Parameter client_id is repeated.'],
      ['repeated redirect_uri', { redirect_uri: [REDIRECT, REDIRECT] }, 'Parameter redirect_uri is repeated.'],
      ['no redirect_uri with two registered', { client_id: twoUris.id, redirect_uri: undefined }, 'Redirect_uri is required: the application registered several.'],
    ]
    for (const [name, change, message] of cases) {
      const res = await fetch(authorizeUrl(issuer, { ...valid, ...change }), { redirect: 'manual' })
      t.equal(res.status, 400, `${name}: status`)
      t.equal(res.headers.get('location'), null, `${name}: no Location`)
      t.match(res.headers.get('content-type'), /^text\/html; charset=utf-8/, `${name}: an HTML page`)
      const body = await res.text()
      t.match(body, message, `${name}: says why`)
      t.notMatch(body, /evil\.example\.com/, `${name}: does not link to the redirect_uri`)
    }
  })

  t.test('other errors go back to the redirect_uri with error, error_description, state and iss', async (t) => {
    const cases: [string, Record<string, string | string[] | undefined>, string, string][] = [
      ['no PKCE', { code_challenge: undefined, code_challenge_method: undefined }, 'invalid_request', 'code_challenge is required (PKCE)'],
      ['plain PKCE', { code_challenge_method: 'plain' }, 'invalid_request', 'code_challenge_method must be S256'],
      ['PKCE without a method (plain by default)', { code_challenge_method: undefined }, 'invalid_request', 'code_challenge_method must be S256'],
      ['malformed challenge', { code_challenge: 'short' }, 'invalid_request', 'code_challenge must be 43 base64url characters'],
      ['no response_type', { response_type: undefined }, 'invalid_request', 'response_type is required'],
      ['implicit grant', { response_type: 'token' }, 'unsupported_response_type', 'only response_type=code is supported'],
      ['fragment response mode', { response_mode: 'fragment' }, 'invalid_request', 'only response_mode=query is supported'],
      ['scope the client may not have', { scope: 'orders:read admin' }, 'invalid_scope', 'scope not allowed for this client: admin'],
      ['repeated scope', { scope: ['orders:read', 'orders:write'] }, 'invalid_request', 'parameter scope is repeated'],
      ['unknown resource', { resource: 'https://other.example.com' }, 'invalid_target', 'resource not allowed for this client: https://other.example.com'],
    ]
    for (const [name, change, error, description] of cases) {
      const res = await fetch(authorizeUrl(issuer, { ...valid, ...change }), { redirect: 'manual' })
      t.equal(res.status, 302, `${name}: redirect`)
      const location = new URL(res.headers.get('location') ?? 'x:')
      t.equal(`${location.origin}${location.pathname}`, REDIRECT, `${name}: to the redirect_uri`)
      t.same(Object.fromEntries(location.searchParams), { error, error_description: description, state: 's-1', iss: issuer.url }, name)
    }
    const repeatedState = await fetch(authorizeUrl(issuer, { ...valid, state: ['a', 'b'] }), { redirect: 'manual' })
    t.same(Object.fromEntries(new URL(repeatedState.headers.get('location') ?? 'x:').searchParams), {
      error: 'invalid_request',
      error_description: 'parameter state is repeated',
      iss: issuer.url,
    }, 'a repeated state is not echoed')
  })

  t.test('a client without the authorization_code grant is unauthorized_client', async (t) => {
    const other = await issuer.stores.clients.insert({
      id: 'cc-with-uri',
      name: 'machine',
      secretHash: null,
      authMethod: 'client_secret_basic',
      grantTypes: ['client_credentials'],
      scopes: [],
      audiences: ['https://api.example.com'],
      redirectUris: [REDIRECT],
      firstParty: false,
      refreshTokenCookie: false,
      allowedOrigins: [],
    })
    const res = await fetch(authorizeUrl(issuer, { ...valid, client_id: other.id }), { redirect: 'manual' })
    t.equal(new URL(res.headers.get('location') ?? 'x:').searchParams.get('error'), 'unauthorized_client')
  })

  t.test('a valid request goes to the sign-in page, which carries the security headers', async (t) => {
    const browser = httpBrowser(issuer)
    const start = await browser.get(authorizeUrl(issuer, valid))
    t.equal(start.status, 302)
    t.match(start.location, /^\/sign-in\?interaction=[A-Za-z0-9_-]{22}$/)
    const cookie = start.headers.getSetCookie()[0] ?? ''
    t.match(cookie, /^keymint-session=[^;]+; Path=\/; HttpOnly; SameSite=Lax$/, 'a signed HttpOnly Lax cookie, not Secure on http')
    t.notMatch(cookie, /max-age|expires/i, 'a browser-session cookie')
    const [id = '', signature = ''] = (browser.jar.get('keymint-session') ?? '').split('.')
    t.match(signature, /^[A-Za-z0-9+/_-]{20,}/, 'the cookie carries a signature')
    for (const [name, value] of [['unsigned', id], ['forged signature', `${id}.${'A'.repeat(signature.length)}`]]) {
      const res = await fetch(new URL(start.location as string, issuer.url), { headers: { cookie: `keymint-session=${value}` } })
      t.equal(res.status, 400, `${name}: no session`)
      t.match(await res.text(), 'Your sign-in session has ended', name)
    }
    const page = await browser.get(start.location as string)
    t.equal(page.status, 200)
    expectPageHeaders(t, page)
    t.match(page.headers.get('content-security-policy'), "form-action 'self' https://app.example.com;", 'the redirect after the POST is allowed')
    t.match(page.body, '<meta name="viewport" content="width=device-width, initial-scale=1">')
    t.match(page.body, '<label for="email">Email</label>')
    t.match(page.body, '<label for="password">Password</label>')
    t.match(page.body, '<button type="submit">Sign in</button>')
    t.match(page.body, 'to continue to <strong>Orders App</strong>')
    t.notMatch(page.body, /<script/i)
  })

  t.test('consent: Allow is remembered; new scopes ask again; Deny goes back with access_denied', async (t) => {
    const browser = httpBrowser(issuer)
    const signedIn = await signInThrough(browser, authorizeUrl(issuer, { ...valid, scope: 'orders:read' }), 'bob@example.com')
    t.equal(signedIn.status, 303)
    t.match(signedIn.location, /^\/consent\?interaction=/)
    const page = await browser.get(signedIn.location as string)
    expectPageHeaders(t, page)
    t.match(page.body, 'Allow <strong>Orders App</strong> to access your account?')
    t.match(page.body, '<li>orders:read</li>')
    t.match(page.body, 'Signed in as bob@example.com')
    const allowed = await browser.post('/consent', { ...hiddenFields(page.body), decision: 'allow' })
    t.equal(allowed.status, 303)
    const callback = new URL(allowed.location as string)
    t.same([...callback.searchParams.keys()], ['code', 'state', 'iss'])
    t.equal(callback.searchParams.get('state'), 's-1')

    const again = await browser.get(authorizeUrl(issuer, { ...valid, scope: 'orders:read', state: 's-2' }))
    t.match(again.location, /^https:\/\/app\.example\.com\/callback\?code=[^&]+&state=s-2&iss=/, 'no second consent for the same scopes')

    const more = await browser.get(authorizeUrl(issuer, { ...valid, scope: 'orders:read orders:write', state: 's-3' }))
    t.match(more.location, /^\/consent\?interaction=/, 'a new scope asks again')
    const denied = await consent(browser, more.location as string, 'deny')
    t.equal(denied.status, 303)
    t.same(Object.fromEntries(new URL(denied.location as string).searchParams), {
      error: 'access_denied',
      error_description: 'the user denied the request',
      state: 's-3',
      iss: issuer.url,
    })
    const user = await issuer.stores.users.findByEmail('bob@example.com')
    t.same(await issuer.stores.consents.find(user!.id, client.id), ['orders:read'])
  })

  t.test('consent needs the session CSRF token: a forged Allow is refused with a page, never a redirect', async (t) => {
    const browser = httpBrowser(issuer)
    const signedIn = await signInThrough(browser, authorizeUrl(issuer, { ...valid, scope: 'orders:write', state: 's-csrf' }), 'bob@example.com')
    const page = await browser.get(signedIn.location as string)
    const { interaction, csrf } = hiddenFields(page.body)
    for (const [name, form] of [
      ['no token', { interaction, decision: 'allow' }],
      ['a wrong token', { interaction, csrf: `${csrf.slice(0, -1)}${csrf.endsWith('A') ? 'B' : 'A'}`, decision: 'allow' }],
    ] as const) {
      const res = await browser.post('/consent', form)
      t.equal(res.status, 403, name)
      t.equal(res.location, undefined, `${name}: no redirect`)
      t.match(res.body, 'This form has expired or did not come from this site', name)
    }
    const user = await issuer.stores.users.findByEmail('bob@example.com')
    t.notOk((await issuer.stores.consents.find(user!.id, client.id))?.includes('orders:write'), 'nothing was granted')
    const allowed = await browser.post('/consent', { interaction, csrf, decision: 'allow' })
    t.match(allowed.location, /^https:\/\/app\.example\.com\/callback\?code=[^&]+&state=s-csrf&iss=/, 'the genuine form still works')
  })

  t.test('a first-party client skips consent', async (t) => {
    const firstParty = await createCodeClient(issuer, REDIRECT, { firstParty: true, authMethod: 'none' })
    const browser = httpBrowser(issuer)
    const signedIn = await signInThrough(browser, authorizeUrl(issuer, { ...valid, client_id: firstParty.id }), 'bob@example.com')
    t.match(signedIn.location, /^https:\/\/app\.example\.com\/callback\?code=/)
  })

  t.test('a pending request belongs to the browser that started it', async (t) => {
    const browser = httpBrowser(issuer)
    const start = await browser.get(authorizeUrl(issuer, valid))
    const stranger = httpBrowser(issuer)
    await stranger.get(authorizeUrl(issuer, valid))
    const page = await stranger.get(start.location as string)
    t.equal(page.status, 400)
    t.match(page.body, 'This sign-in request has expired or was started in another browser')
    const noCookie = await fetch(new URL(start.location as string, issuer.url), { redirect: 'manual' })
    t.equal(noCookie.status, 400)
    t.match(await noCookie.text(), 'Your sign-in session has ended, or this browser does not keep cookies')
  })

  t.test('sign-out ends the session (POST with the CSRF token only)', async (t) => {
    const firstParty = await createCodeClient(issuer, REDIRECT, { firstParty: true, authMethod: 'none' })
    const browser = httpBrowser(issuer)
    const url = authorizeUrl(issuer, { ...valid, client_id: firstParty.id })
    await signInThrough(browser, url, 'bob@example.com')
    t.match((await browser.get(url)).location, /^https:\/\/app\.example\.com/, 'signed in')

    const ask = await browser.get('/signout')
    expectPageHeaders(t, ask)
    t.match(ask.body, 'Signed in as bob@example.com')
    const forged = await browser.post('/signout', { csrf: 'forged' })
    t.equal(forged.status, 403)
    t.match((await browser.get(url)).location, /^https:\/\/app\.example\.com/, 'still signed in')

    const out = await browser.post('/signout', hiddenFields(ask.body))
    t.equal(out.status, 200)
    t.match(out.body, 'You are signed out')
    t.match(out.headers.getSetCookie()[0], /^keymint-session=;/)
    t.match((await browser.get(url)).location, /^\/sign-in/, 'signed out')
  })

  t.test('a disabled user is signed out of their session', async (t) => {
    const carol = await createUser(issuer, 'carol@example.com')
    const firstParty = await createCodeClient(issuer, REDIRECT, { firstParty: true, authMethod: 'none' })
    const browser = httpBrowser(issuer)
    const url = authorizeUrl(issuer, { ...valid, client_id: firstParty.id })
    t.match((await signInThrough(browser, url, 'carol@example.com')).location, /^https:\/\/app\.example\.com/)
    await createAdminOperations(issuer.deps).disableUser(carol.id)
    t.match((await browser.get(url)).location, /^\/sign-in/)
  })
})

t.test('on an https issuer the cookie is Secure with the __Host- prefix', async (t) => {
  const issuer = await startTestIssuer(t, { env: { ISSUER: 'https://auth.example.com' } })
  const client = await createCodeClient(issuer, REDIRECT, { authMethod: 'none' })
  const res = await fetch(`http://127.0.0.1:${issuer.deps.config.port}/oauth/authorize?${new URLSearchParams({
    response_type: 'code',
    client_id: client.id,
    code_challenge: pkce().challenge,
    code_challenge_method: 'S256',
  })}`, { redirect: 'manual' })
  t.equal(res.status, 302)
  t.match(res.headers.getSetCookie()[0], /^__Host-keymint-session=[^;]+; Path=\/; HttpOnly; Secure; SameSite=Lax$/)
})

function expectPageHeaders(t: Test, page: Page): void {
  t.match(page.headers.get('content-type'), /^text\/html; charset=utf-8/)
  t.match(page.headers.get('content-security-policy'), /^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]+='; form-action 'self'[^;]*; frame-ancestors 'none'; base-uri 'none'$/)
  t.equal(page.headers.get('x-frame-options'), 'DENY')
  t.equal(page.headers.get('referrer-policy'), 'no-referrer')
  t.equal(page.headers.get('x-content-type-options'), 'nosniff')
  t.equal(page.headers.get('cache-control'), 'no-store')
}
