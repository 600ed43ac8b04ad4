import { join } from 'node:path'
import { createRemoteJWKSet, jwtVerify } from 'jose'
import * as openid from 'openid-client'
import { chromium, type Browser, type BrowserContext } from 'playwright-core'
import t, { type Test } from 'tap'
import { createCodeClient, createUser, PASSWORD, startClientApp } from '../helpers/authorization.ts'
import { startTestIssuer } from '../helpers/issuer.ts'
import { openTestStores, type StorageKind } from '../helpers/stores.ts'

// The authorization_code flow in a real browser (Debian's Chromium through playwright-core, JavaScript off:
// the pages must work without it): sign in by the labelled fields, consent, land on the client's
// redirect_uri, and exchange the code as openid-client does; on PostgreSQL + Redis and on the embedded default.
// KEYMINT_SCREENSHOT_DIR=dir saves the sign-in and consent pages at a phone's size, to look at.

const API = 'https://api.example.com'
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, javaScriptEnabled: false }
const SCREENSHOTS = process.env.KEYMINT_SCREENSHOT_DIR

const browser: Browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
})
t.teardown(() => browser.close())

for (const kind of ['external', 'embedded'] as const) t.test(`authorization code flow in Chromium (${kind} storage)`, (t) => flowInChromium(t, kind))

async function flowInChromium(t: Test, kind: StorageKind): Promise<void> {
  const issuer = await startTestIssuer(t, { stores: await openTestStores(t, kind) })
  const app = await startClientApp(t)
  const user = await createUser(issuer, 'ivan@example.com')
  const confidential = await createCodeClient(issuer, app.redirectUri, { name: 'Orders App', grantTypes: ['authorization_code', 'refresh_token'] })
  const firstParty = await createCodeClient(issuer, app.redirectUri, { name: 'Keymint Console', firstParty: true, authMethod: 'none' })
  const jwks = createRemoteJWKSet(new URL(`${issuer.url}/.well-known/jwks.json`))
  const shot = (name: string) => (SCREENSHOTS === undefined ? undefined : join(SCREENSHOTS, `${kind}-${name}`))

  /** Starts an authorization request as openid-client builds it; returns what the exchange needs. */
  async function start(clientId: string, clientAuth: openid.ClientAuth) {
    const config = await openid.discovery(new URL(issuer.url), clientId, undefined, clientAuth, {
      execute: [openid.allowInsecureRequests],
      algorithm: 'oauth2',
    })
    const verifier = openid.randomPKCECodeVerifier()
    const state = openid.randomState()
    const url = openid.buildAuthorizationUrl(config, {
      redirect_uri: app.redirectUri,
      scope: 'orders:read',
      state,
      code_challenge: await openid.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    })
    return { config, verifier, state, url: url.href }
  }

  async function exchange(flow: Awaited<ReturnType<typeof start>>, callback: string) {
    const tokens = await openid.authorizationCodeGrant(flow.config, new URL(callback), { pkceCodeVerifier: flow.verifier, expectedState: flow.state })
    const { payload } = await jwtVerify(tokens.access_token, jwks, { issuer: issuer.url, audience: API, algorithms: ['RS256'], typ: 'at+jwt' })
    return { payload, tokens }
  }

  async function signIn(context: BrowserContext, url: string, screenshot?: string) {
    const page = await context.newPage()
    await page.goto(url)
    await page.getByRole('heading', { name: 'Sign in' }).waitFor()
    if (screenshot !== undefined) await page.screenshot({ path: screenshot, fullPage: true })
    await page.getByLabel('Email').fill('ivan@example.com')
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()
    return page
  }

  const context = await browser.newContext(PHONE)

  t.test('sign in, consent, and a code that openid-client exchanges for a verifiable token', async (t) => {
    const flow = await start(confidential.id, openid.ClientSecretBasic(confidential.secret))
    const page = await signIn(context, flow.url, shot('sign-in.png'))
    await page.getByRole('button', { name: 'Allow' }).waitFor()
    t.match(await page.textContent('h1'), 'Allow Orders App to access your account?')
    t.match(await page.textContent('ul.scopes'), 'orders:read')
    const consentShot = shot('consent.png')
    if (consentShot !== undefined) await page.screenshot({ path: consentShot, fullPage: true })
    await page.getByRole('button', { name: 'Allow' }).click()
    await page.waitForURL((url) => url.href.startsWith(app.redirectUri))

    const callback = new URL(page.url())
    t.same([...callback.searchParams.keys()], ['code', 'state', 'iss'])
    t.equal(callback.searchParams.get('state'), flow.state)
    t.equal(callback.searchParams.get('iss'), issuer.url)
    t.equal(app.received.at(-1)?.get('code'), callback.searchParams.get('code'), 'the client app got the code')
    const { payload: claims, tokens } = await exchange(flow, page.url())
    t.equal(claims.sub, user.id)
    t.equal(claims.client_id, confidential.id)
    t.equal(claims.scope, 'orders:read')
    t.type(claims.auth_time, 'number')
    t.type(tokens.refresh_token, 'string', 'a refresh token for a client allowed the refresh_token grant')
    const refreshed = await openid.refreshTokenGrant(flow.config, tokens.refresh_token as string)
    const { payload: again } = await jwtVerify(refreshed.access_token, jwks, { issuer: issuer.url, audience: API, algorithms: ['RS256'], typ: 'at+jwt' })
    t.equal(again.sub, user.id, 'the refreshed token is the same user\'s')
    await page.close()
  })

  t.test('a second authorization for the same user and client skips sign-in and consent', async (t) => {
    const flow = await start(confidential.id, openid.ClientSecretBasic(confidential.secret))
    const page = await context.newPage()
    const seen: string[] = []
    // Every request the page makes, each redirect hop included, not only the pages it ends up showing.
    page.on('request', (request) => seen.push(request.url()))
    await page.goto(flow.url)
    await page.waitForURL((url) => url.href.startsWith(app.redirectUri))
    t.notOk(seen.some((url) => url.includes('/sign-in') || url.includes('/consent')), 'no page in between')
    t.equal((await exchange(flow, page.url())).payload.sub, user.id)
    await page.close()
  })

  t.test('a first-party public client skips consent', async (t) => {
    const fresh = await browser.newContext(PHONE)
    t.teardown(() => fresh.close())
    const flow = await start(firstParty.id, openid.None())
    const page = await signIn(fresh, flow.url)
    await page.waitForURL((url) => url.href.startsWith(app.redirectUri))
    const { payload: claims } = await exchange(flow, page.url())
    t.equal(claims.sub, user.id)
    t.equal(claims.client_id, firstParty.id)
  })

  t.test('a wrong password shows the generic message on the page', async (t) => {
    const fresh = await browser.newContext(PHONE)
    t.teardown(() => fresh.close())
    const flow = await start(firstParty.id, openid.None())
    const page = await fresh.newPage()
    await page.goto(flow.url)
    await page.getByLabel('Email').fill('ivan@example.com')
    await page.getByLabel('Password').fill('not my password')
    await page.getByRole('button', { name: 'Sign in' }).click()
    t.equal(await page.getByRole('alert').textContent(), 'Incorrect email or password.')
    t.equal(await page.getByLabel('Email').inputValue(), 'ivan@example.com')
  })

  t.test('signing out ends the session: the next authorization asks for the password again', async (t) => {
    const page = await context.newPage()
    await page.goto(`${issuer.url}/signout`)
    t.match(await page.textContent('main'), 'Signed in as ivan@example.com')
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.getByRole('heading', { name: 'Signed out' }).waitFor()
    const flow = await start(confidential.id, openid.ClientSecretBasic(confidential.secret))
    await page.goto(flow.url)
    await page.getByRole('heading', { name: 'Sign in' }).waitFor()
    t.pass('back at the sign-in page')
    await page.close()
  })

  t.teardown(() => context.close())
}
