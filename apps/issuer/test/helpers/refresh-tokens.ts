import { issueRefreshToken, type RefreshTokenGrant } from '../../src/refresh-tokens/issue.ts'
import type { RefreshTokenDeps } from '../../src/refresh-tokens/refresh-token.ts'
import * as oauth from 'oauth4webapi'
import type { Test } from 'tap'
import { postToken, startTestIssuer, type TestIssuer, type TestIssuerOptions } from './issuer.ts'
import { openTestStores, type StorageKind } from './stores.ts'

// Refresh token families for HTTP tests: started by the same domain function the authorization_code grant
// calls, on the issuer's own storage and clock; everything after that goes over HTTP.

function refreshTokenDeps(issuer: TestIssuer): RefreshTokenDeps {
  const { config, clock, stores } = issuer.deps
  return {
    refreshTokens: stores.refreshTokens,
    clock,
    refreshTokenPolicy: {
      idleSeconds: config.refreshTokenIdleSeconds,
      absoluteSeconds: config.refreshTokenAbsoluteSeconds,
      reuseGraceSeconds: config.refreshTokenReuseGraceSeconds,
    },
  }
}

export function startFamily(issuer: TestIssuer, input: Partial<RefreshTokenGrant> & { clientId: string }) {
  const grant = { userId: 'user-1', scopes: ['orders:read', 'orders:write'], audiences: ['https://api.example.com'], authTime: null }
  return issueRefreshToken({ ...grant, ...input }, refreshTokenDeps(issuer))
}

export function refresh(issuer: TestIssuer, token: string, headers: Record<string, string>, form: Record<string, string | string[]> = {}) {
  return postToken(issuer.url, { grant_type: 'refresh_token', refresh_token: token, ...form }, headers)
}

/** POSTs a form to one of the issuer's endpoints; the body is JSON, or undefined when empty. */
export async function postForm(url: string, form: Record<string, string>, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form),
  })
  const text = await res.text()
  return { status: res.status, headers: res.headers, text, body: (text === '' ? undefined : JSON.parse(text)) as Record<string, unknown> | undefined }
}

/** A public client (token_endpoint_auth_method none) allowed the authorization_code and refresh_token grants. */
export function createPublicClient(issuer: TestIssuer) {
  return issuer.createClient({
    authMethod: 'none',
    grantTypes: ['authorization_code', 'refresh_token'],
    redirectUris: ['https://app.example.com/callback'],
  })
}

/** oauth4webapi's option for the test issuer's plain-http loopback URL. */
export const INSECURE = { [oauth.allowInsecureRequests]: true } as const

/** The issuer's metadata, discovered and checked by oauth4webapi. */
export async function discover(issuer: TestIssuer): Promise<oauth.AuthorizationServer> {
  const url = new URL(issuer.url)
  return oauth.processDiscoveryResponse(url, await oauth.discoveryRequest(url, { algorithm: 'oauth2', ...INSECURE }))
}

/** Both deployments: PostgreSQL + Redis, and the embedded default (PGlite + the in-process store). */
export const STORAGE_KINDS: readonly StorageKind[] = ['external', 'embedded']

export const storageName = (kind: StorageKind) => (kind === 'external' ? 'PostgreSQL + Redis' : 'embedded default')

/** A test issuer on fresh stores of the given kind. */
export async function startIssuerOn(t: Test, kind: StorageKind, options: Omit<TestIssuerOptions, 'stores'> = {}): Promise<TestIssuer> {
  return startTestIssuer(t, { ...options, stores: await openTestStores(t, kind) })
}
