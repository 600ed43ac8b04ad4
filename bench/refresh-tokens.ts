import { createHash, randomBytes } from 'node:crypto'
import type { JSONWebKeySet } from 'jose'
import { AUDIENCE, SCOPE } from './access-token.ts'
import { tokenCheck } from './checks.ts'
import { basicAuth, type Keymint } from './keymint.ts'
import type { Target } from './load.ts'

// Refresh-token rotation under load. One family per connection, each started the way a user starts one
// (authorize → sign in → code → token exchange with PKCE), then rotated over and over: every request presents
// the refresh token the previous answer returned, so each one is a real rotation (one atomic consume in storage).

const FORM = 'application/x-www-form-urlencoded'
// Never followed: the harness reads the code from the Location header.
const REDIRECT_URI = 'http://127.0.0.1:9/callback'

export async function refreshTarget(keymint: Keymint, families: number, jwks: JSONWebKeySet, sampleEvery: number): Promise<Target> {
  const email = `bench-${randomBytes(4).toString('hex')}@example.com`
  const password = randomBytes(18).toString('base64url')
  const user = JSON.parse(await keymint.cli(['users', 'create', '--email', email, '--password-stdin', '--json'], `${password}\n`)) as { user_id: string }
  const registered = JSON.parse(
    await keymint.cli([
      'clients', 'create', '--name', 'bench-code', '--grant-types', 'authorization_code,refresh_token', '--redirect-uris', REDIRECT_URI,
      '--scopes', SCOPE, '--audience', AUDIENCE, '--first-party', '--json',
    ]),
  ) as { client_id: string; client_secret: string }
  const client = { id: registered.client_id, secret: registered.client_secret }
  const authorization = basicAuth(client.id, client.secret)

  const browser = cookieBrowser(keymint.url)
  const pool: string[] = []
  const topUp = async () => {
    while (pool.length < families) pool.push(await startFamily(browser, keymint.url, client.id, authorization, { email, password }))
  }
  await topUp()

  return {
    url: keymint.url,
    pid: keymint.pid,
    method: 'POST',
    path: '/oauth/token',
    headers: { authorization, 'content-type': FORM },
    // Requests still in flight when a run stops take their families with them: top the pool up before each run.
    prepare: topUp,
    // A connection has one request in flight, so the pool (one token per family) never runs dry unless a
    // rotation fails; then the request goes without a token, is answered 400 and counts as an error.
    nextBody: () => new URLSearchParams({ grant_type: 'refresh_token', refresh_token: pool.pop() ?? '' }).toString(),
    observe: (status, body) => {
      if (status !== 200) return
      const next = (JSON.parse(body) as { refresh_token?: unknown }).refresh_token
      if (typeof next === 'string') pool.push(next)
    },
    check: () =>
      tokenCheck({ jwks, issuer: keymint.url, audience: AUDIENCE, clientId: client.id, subject: user.user_id, scope: SCOPE, refreshToken: true, sampleEvery }),
  }
}

type Browser = { request(path: string, init?: { method?: string; form?: Record<string, string> }): Promise<{ status: number; location: string; body: string }> }

/** fetch with a cookie jar and no redirects followed: the session cookie makes later authorizations silent. */
function cookieBrowser(base: string): Browser {
  const jar = new Map<string, string>()
  return {
    async request(path, init = {}) {
      const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ')
      const res = await fetch(new URL(path, base), {
        method: init.method ?? 'GET',
        redirect: 'manual',
        headers: { ...(cookie === '' ? {} : { cookie }), ...(init.form === undefined ? {} : { 'content-type': FORM }) },
        ...(init.form === undefined ? {} : { body: new URLSearchParams(init.form).toString() }),
      })
      for (const line of res.headers.getSetCookie()) {
        const [name = '', value = ''] = (line.split(';')[0] ?? '').split('=')
        jar.set(name, value)
      }
      return { status: res.status, location: res.headers.get('location') ?? '', body: await res.text() }
    },
  }
}

/** authorize (PKCE S256) → sign in when the session does not know the user yet → code → refresh token. */
async function startFamily(browser: Browser, base: string, clientId: string, authorization: string, user: { email: string; password: string }): Promise<string> {
  const verifier = randomBytes(32).toString('base64url')
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: REDIRECT_URI,
    scope: SCOPE,
    state: randomBytes(8).toString('hex'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  })
  let step = await browser.request(`/oauth/authorize?${query}`)
  if (step.location.startsWith('/sign-in')) {
    const page = await browser.request(step.location)
    const field = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(page.body)?.[1] ?? ''
    step = await browser.request('/sign-in', { method: 'POST', form: { csrf: field('csrf'), interaction: field('interaction'), email: user.email, password: user.password } })
  }
  const code = step.location.startsWith(REDIRECT_URI) ? new URL(step.location).searchParams.get('code') : null
  if (code === null) throw new Error(`the authorization request did not come back with a code: ${step.status} ${step.location} ${step.body.slice(0, 200)}`)
  const res = await fetch(new URL('/oauth/token', base), {
    method: 'POST',
    headers: { authorization, 'content-type': FORM },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier }).toString(),
  })
  const answer = (await res.json()) as { refresh_token?: unknown }
  if (res.status !== 200 || typeof answer.refresh_token !== 'string') throw new Error(`the code exchange answered ${res.status}: ${JSON.stringify(answer)}`)
  return answer.refresh_token
}
