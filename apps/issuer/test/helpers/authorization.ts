import { createHash, randomBytes } from 'node:crypto'
import { createServer } from 'node:http'
import type { Test } from 'tap'
import { createAdminOperations } from '../../src/admin/operations.ts'
import type { ClientRegistration } from '../../src/clients/register.ts'
import type { TestIssuer } from './issuer.ts'

// The authorization_code grant from the outside: users, code clients, PKCE pairs, a redirect target that
// records what it receives, and a cookie-keeping HTTP "browser" that walks the pages without a real one.

export const PASSWORD = 'correct horse battery staple'

export async function createUser(issuer: TestIssuer, email: string, password = PASSWORD) {
  return createAdminOperations(issuer.deps).createUser({ email, password })
}

export async function createCodeClient(issuer: TestIssuer, redirectUri: string, input: Partial<ClientRegistration> = {}) {
  return issuer.createClient({
    name: 'Orders App',
    grantTypes: ['authorization_code'],
    redirectUris: [redirectUri],
    scopes: ['orders:read', 'orders:write'],
    ...input,
  })
}

export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url')
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') }
}

export function authorizeUrl(issuer: Pick<TestIssuer, 'url'>, params: Record<string, string | string[] | undefined>): string {
  const url = new URL('/oauth/authorize', issuer.url)
  for (const [name, value] of Object.entries(params)) for (const v of [value ?? []].flat()) url.searchParams.append(name, v)
  return url.href
}

/** A node:http server on a loopback port standing for the client's redirect_uri; it records each query it gets. */
export async function startClientApp(t: Test): Promise<{ redirectUri: string; received: URLSearchParams[] }> {
  const received: URLSearchParams[] = []
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    if (url.pathname !== '/callback') return res.writeHead(404).end()
    received.push(url.searchParams)
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>Orders App</title><p>Back in the app.</p>')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  return { redirectUri: `http://127.0.0.1:${port}/callback`, received }
}

export type Page = { status: number; headers: Headers; location: string | undefined; body: string }

/** fetch with a cookie jar and no automatic redirects: each hop is looked at by the test. */
export function httpBrowser(issuer: Pick<TestIssuer, 'url'>) {
  const jar = new Map<string, string>()
  const request = async (url: string, init: RequestInit = {}): Promise<Page> => {
    const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ')
    const res = await fetch(new URL(url, issuer.url), {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), ...(cookie === '' ? {} : { cookie }) },
    })
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';')
      const [name = '', value = ''] = pair.split('=')
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(line)) jar.delete(name)
      else jar.set(name, value)
    }
    return { status: res.status, headers: res.headers, location: res.headers.get('location') ?? undefined, body: await res.text() }
  }
  return {
    jar,
    get: (url: string) => request(url),
    post: (url: string, form: Record<string, string>) =>
      request(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) }),
  }
}

export type HttpBrowser = ReturnType<typeof httpBrowser>

/** The hidden fields of the page's form. */
export function hiddenFields(html: string): { csrf: string; interaction: string } {
  const field = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? ''
  return { csrf: field('csrf'), interaction: field('interaction') }
}

/** Authorization request → sign-in page → credentials; returns the response to the sign-in POST. */
export async function signInThrough(browser: HttpBrowser, url: string, email: string, password = PASSWORD): Promise<Page> {
  const start = await browser.get(url)
  if (start.location === undefined || !start.location.startsWith('/sign-in')) throw new Error(`expected the sign-in page, got ${start.status} ${start.location}`)
  const page = await browser.get(start.location)
  return browser.post('/sign-in', { ...hiddenFields(page.body), email, password })
}

/** Answers the consent page at `location` (a /consent URL). */
export async function consent(browser: HttpBrowser, location: string, decision: 'allow' | 'deny'): Promise<Page> {
  const page = await browser.get(location)
  return browser.post('/consent', { ...hiddenFields(page.body), decision })
}
