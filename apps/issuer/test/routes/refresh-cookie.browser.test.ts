import { chromium, type Browser, type Page } from 'playwright-core'
import t from 'tap'
import { hashToken } from '../../src/tokens/hash.ts'
import { createCodeClient, createUser, PASSWORD, pkce, startClientApp } from '../helpers/authorization.ts'
import { startTestIssuer } from '../helpers/issuer.ts'

// Browser mode end to end in Chromium: a single-page app served from its registered origin signs the user
// in with the authorization_code flow, exchanges the code with fetch, and from then on refreshes with the
// HttpOnly cookie alone, which its JavaScript never sees; logout revokes the family and removes the cookie.
// A page on another site gets neither the cookie nor a readable answer.

type Reply = { status: number; body: Record<string, unknown> | undefined } | { failed: string }

/** fetch from inside the page, with the browser's cookies: what an app's own JavaScript can do. */
function post(page: Page, url: string, form: Record<string, string>): Promise<Reply> {
  return page.evaluate(
    async ({ url, form }) => {
      try {
        const res = await fetch(url, { method: 'POST', credentials: 'include', body: new URLSearchParams(form) })
        const text = await res.text()
        return { status: res.status, body: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>) }
      } catch (error) {
        return { failed: String(error) }
      }
    },
    { url, form },
  )
}

t.test('refresh token cookie in Chromium', async (t) => {
  const issuer = await startTestIssuer(t)
  const app = await startClientApp(t)
  const origin = new URL(app.redirectUri).origin
  await createUser(issuer, 'ada@example.com')
  const spa = await createCodeClient(issuer, app.redirectUri, {
    name: 'Orders SPA',
    authMethod: 'none',
    firstParty: true,
    grantTypes: ['authorization_code', 'refresh_token'],
    refreshTokenCookie: true,
    allowedOrigins: [origin],
  })
  const browser: Browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
  t.teardown(() => browser.close())
  const context = await browser.newContext()
  const page = await context.newPage()
  const refreshCookies = async () => (await context.cookies(`${issuer.url}/oauth/token`)).filter((c) => c.name === 'keymint-refresh')

  // Sign in through the issuer's pages and land back on the app with a code.
  const { verifier, challenge } = pkce()
  const authorize = new URL('/oauth/authorize', issuer.url)
  for (const [name, value] of Object.entries({
    response_type: 'code',
    client_id: spa.id,
    redirect_uri: app.redirectUri,
    scope: 'orders:read',
    state: 'st',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  })) authorize.searchParams.set(name, value)
  await page.goto(authorize.href)
  await page.getByLabel('Email').fill('ada@example.com')
  await page.getByLabel('Password').fill(PASSWORD)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForURL((url) => url.href.startsWith(app.redirectUri))
  const code = new URL(page.url()).searchParams.get('code') as string

  const tokenUrl = `${issuer.url}/oauth/token`
  const exchanged = await post(page, tokenUrl, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: app.redirectUri,
    code_verifier: verifier,
    client_id: spa.id,
  })
  t.match(exchanged, { status: 200, body: { token_type: 'Bearer', scope: 'orders:read' } }, 'the app exchanges its code with fetch')
  t.notOk('refresh_token' in ((exchanged as { body: object }).body ?? {}), 'the page never sees the refresh token')
  const [cookie] = await refreshCookies()
  t.match(cookie, { httpOnly: true, sameSite: 'Strict', path: '/oauth/token', secure: false }, 'it is in an HttpOnly cookie')
  t.equal(await page.evaluate(() => document.cookie), '', 'that page JavaScript cannot read')

  const refreshed = await post(page, tokenUrl, { grant_type: 'refresh_token', client_id: spa.id })
  t.match(refreshed, { status: 200, body: { token_type: 'Bearer' } }, 'the app refreshes with the cookie alone')
  const [rotated] = await refreshCookies()
  t.not(rotated?.value, cookie?.value, 'and the cookie is rotated')

  // Another site (localhost is not the same site as 127.0.0.1): SameSite=Strict keeps the cookie home, the
  // Origin check refuses, and without a CORS grant the page cannot even read the refusal.
  const evil = await context.newPage()
  await evil.goto(app.redirectUri.replace('127.0.0.1', 'localhost'))
  const csrf = await post(evil, tokenUrl, { grant_type: 'refresh_token', client_id: spa.id })
  t.match(csrf, { failed: /TypeError/ }, 'a cross-site page gets nothing')
  const csrfLogout = await post(evil, `${issuer.url}/oauth/token/logout`, { client_id: spa.id })
  t.match(csrfLogout, { failed: /TypeError/ })
  t.equal((await refreshCookies())[0]?.value, rotated?.value, 'and changed nothing')
  t.equal((await context.cookies(`${issuer.url}/oauth/authorize`)).filter((c) => c.name === 'keymint-refresh').length, 0, 'the cookie goes to the token endpoint only')
  t.equal((await post(page, tokenUrl, { grant_type: 'refresh_token', client_id: spa.id }) as { status: number }).status, 200)
  const beforeLogout = (await refreshCookies())[0]?.value as string

  const loggedOut = await post(page, `${issuer.url}/oauth/token/logout`, { client_id: spa.id })
  t.same(loggedOut, { status: 204, body: undefined }, 'logout')
  t.same(await refreshCookies(), [], 'removes the cookie')
  const after = await post(page, tokenUrl, { grant_type: 'refresh_token', client_id: spa.id })
  t.same(after, { status: 400, body: { error: 'invalid_request', error_description: 'missing parameter refresh_token' } })
  const revoked = await issuer.stores.refreshTokens.findByHash(hashToken(beforeLogout))
  t.type(revoked?.revokedAt, Date, 'and revokes the family')
})
