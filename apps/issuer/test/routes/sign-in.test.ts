import t from 'tap'
import { createAdminOperations } from '../../src/admin/operations.ts'
import { SIGN_IN_LIMITS } from '../../src/users/sign-in-throttle.ts'
import { authorizeUrl, createCodeClient, createUser, hiddenFields, httpBrowser, pkce, PASSWORD, type HttpBrowser } from '../helpers/authorization.ts'
import { startTestIssuer, type TestIssuer } from '../helpers/issuer.ts'

// POST /sign-in: CSRF, one generic failure message, throttling per account and per client IP, session rotation.

const REDIRECT = 'https://app.example.com/callback'

/** A browser at the sign-in page of a fresh authorization request; returns what the form needs. */
async function atSignIn(issuer: TestIssuer, clientId: string): Promise<{ browser: HttpBrowser; fields: { csrf: string; interaction: string } }> {
  const browser = httpBrowser(issuer)
  const url = authorizeUrl(issuer, { response_type: 'code', client_id: clientId, code_challenge: pkce().challenge, code_challenge_method: 'S256', state: 'st' })
  const start = await browser.get(url)
  const page = await browser.get(start.location as string)
  return { browser, fields: hiddenFields(page.body) }
}

t.test('sign-in', async (t) => {
  const issuer = await startTestIssuer(t)
  const dave = await createUser(issuer, 'dave@example.com')
  const client = await createCodeClient(issuer, REDIRECT, { firstParty: true, authMethod: 'none' })

  t.test('a POST without the session CSRF token is refused with a 403 page', async (t) => {
    const { browser, fields } = await atSignIn(issuer, client.id)
    const cases: [string, Record<string, string>][] = [
      ['no token', { interaction: fields.interaction, email: 'dave@example.com', password: PASSWORD }],
      ['a wrong token', { ...fields, csrf: `${fields.csrf.slice(0, -1)}${fields.csrf.endsWith('A') ? 'B' : 'A'}`, email: 'dave@example.com', password: PASSWORD }],
    ]
    for (const [name, form] of cases) {
      const res = await browser.post('/sign-in', form)
      t.equal(res.status, 403, name)
      t.equal(res.location, undefined, `${name}: no redirect`)
      t.match(res.headers.get('content-type'), /^text\/html/)
      t.match(res.body, 'This form has expired or did not come from this site')
    }
    const noCookie = await fetch(`${issuer.url}/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...fields, email: 'dave@example.com', password: PASSWORD }),
      redirect: 'manual',
    })
    t.equal(noCookie.status, 403, 'a token without its session is worthless')
  })

  t.test('every failure gets the same message: wrong password, unknown user, disabled user', async (t) => {
    const erin = await createUser(issuer, 'erin@example.com')
    await createAdminOperations(issuer.deps).disableUser('ERIN@example.com')
    const cases: [string, string, string][] = [
      ['wrong password', 'dave@example.com', 'not the password'],
      ['unknown user', 'nobody@example.com', PASSWORD],
      ['disabled user with the right password', 'erin@example.com', PASSWORD],
    ]
    for (const [name, email, password] of cases) {
      const { browser, fields } = await atSignIn(issuer, client.id)
      const res = await browser.post('/sign-in', { ...fields, email, password })
      t.equal(res.status, 400, `${name}: status`)
      t.match(res.body, '<p class="alert" role="alert">Incorrect email or password.</p>', `${name}: message`)
      t.match(res.body, `value="${email}"`, `${name}: the address is kept`)
      t.notMatch(res.body, password, `${name}: the password is not`)
    }
    const failures = await issuer.stores.audit.list('sign_in.failed')
    t.same(failures.map((event) => [event.userId, event.detail?.reason]), [
      [dave.id, 'wrong_password'],
      [undefined, 'unknown_user'],
      [erin.id, 'disabled'],
    ])
    const { browser, fields } = await atSignIn(issuer, client.id)
    const empty = await browser.post('/sign-in', { ...fields, email: 'dave@example.com', password: '' })
    t.match(empty.body, 'Enter your email and password.')
  })

  t.test('a successful sign-in is case-insensitive on the address and moves the session to a new id', async (t) => {
    const { browser, fields } = await atSignIn(issuer, client.id)
    const before = browser.jar.get('keymint-session')
    const res = await browser.post('/sign-in', { ...fields, email: '  Dave@Example.COM ', password: PASSWORD })
    t.equal(res.status, 303)
    t.match(res.location, /^https:\/\/app\.example\.com\/callback\?code=/)
    t.not(browser.jar.get('keymint-session'), before, 'a new session id')
    const replay = await fetch(`${issuer.url}/sign-in?interaction=${fields.interaction}`, { headers: { cookie: `keymint-session=${before}` } })
    t.equal(replay.status, 400, 'the old id is gone')
  })

  t.test(`${SIGN_IN_LIMITS.perAccount} failures lock the account for ${SIGN_IN_LIMITS.windowSeconds / 60} minutes (429), not other accounts`, async (t) => {
    const frank = await createUser(issuer, 'frank@example.com')
    await createUser(issuer, 'grace@example.com')
    const { browser, fields } = await atSignIn(issuer, client.id)
    for (let i = 0; i < SIGN_IN_LIMITS.perAccount; i++) {
      const res = await browser.post('/sign-in', { ...fields, email: 'frank@example.com', password: `wrong ${i}` })
      t.equal(res.status, 400, `failure ${i + 1}`)
    }
    const locked = await browser.post('/sign-in', { ...fields, email: 'FRANK@example.com', password: PASSWORD })
    t.equal(locked.status, 429, 'even the right password')
    t.equal(locked.headers.get('retry-after'), String(SIGN_IN_LIMITS.windowSeconds))
    t.match(locked.body, 'Too many failed sign-in attempts. Wait 15 minutes, then try again.')
    const throttled = await issuer.stores.audit.list('sign_in.throttled')
    t.equal(throttled.length, 1)
    t.match(throttled[0], { userId: frank.id, clientId: client.id, detail: { scope: 'account', failures: SIGN_IN_LIMITS.perAccount } })

    const other = await browser.post('/sign-in', { ...fields, email: 'grace@example.com', password: PASSWORD })
    t.equal(other.status, 303, 'another account from the same address still signs in')
  })
})

t.test(`${SIGN_IN_LIMITS.perIp} failures from one address block it (429), whatever the account`, async (t) => {
  // An issuer of its own: its ephemeral store (and so the per-IP count) starts empty.
  const issuer = await startTestIssuer(t)
  await createUser(issuer, 'heidi@example.com')
  const client = await createCodeClient(issuer, REDIRECT, { firstParty: true, authMethod: 'none' })
  const { browser, fields } = await atSignIn(issuer, client.id)
  for (let i = 0; i < SIGN_IN_LIMITS.perIp; i++) {
    // Spread over accounts, so that no account reaches its own limit.
    const res = await browser.post('/sign-in', { ...fields, email: `user${i % 5}@example.com`, password: 'guess' })
    if (res.status !== 400) t.fail(`failure ${i + 1} answered ${res.status}`)
  }
  const blocked = await browser.post('/sign-in', { ...fields, email: 'heidi@example.com', password: PASSWORD })
  t.equal(blocked.status, 429)
  t.match(blocked.body, 'Too many failed sign-in attempts.')
  const throttled = await issuer.stores.audit.list('sign_in.throttled')
  t.same(throttled.map((event) => event.detail?.scope), ['ip'])
  t.equal(throttled[0]?.detail?.ip, '127.0.0.1')
})
