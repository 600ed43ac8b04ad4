import type { JSONWebKeySet } from 'jose'
import { AUDIENCE, SCOPE } from './access-token.ts'
import { exactBodyCheck, introspectionCheck, tokenCheck } from './checks.ts'
import { basicAuth } from './keymint.ts'
import type { Target } from './load.ts'

// What each row sends, and how its answers are checked.

// Both servers get the same token request: client_secret_basic, the client's two scopes asked for explicitly
// (oidc-provider grants only what is asked; Keymint would grant the same two without it).
const TOKEN_FORM = { grant_type: 'client_credentials', scope: SCOPE }

export type Server = { url: string; pid: number; client: { id: string; secret: string } }

export function tokenTarget(server: Server, path: string, jwks: JSONWebKeySet, sampleEvery: number): Target {
  return clientPost(server, path, TOKEN_FORM, () =>
    tokenCheck({ jwks, issuer: server.url, audience: AUDIENCE, clientId: server.client.id, scope: SCOPE, sampleEvery }),
  )
}

export function staticTarget(server: { url: string; pid: number }, path: string, body: string): Target {
  return { url: server.url, pid: server.pid, method: 'GET', path, check: () => exactBodyCheck(body) }
}

export function introspectionTarget(server: Server, path: string, token: string, sampleEvery: number): Target {
  return clientPost(server, path, { token, token_type_hint: 'access_token' }, () => introspectionCheck(server.client.id, sampleEvery))
}

/** A form POST authenticated as the server's client (client_secret_basic). */
function clientPost(server: Server, path: string, form: Record<string, string>, check: Target['check']): Target {
  return {
    url: server.url,
    pid: server.pid,
    method: 'POST',
    path,
    headers: { authorization: basicAuth(server.client.id, server.client.secret), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
    check,
  }
}

/** One request, for set-up and for probing what an endpoint answers before loading it. */
export async function send(target: Target): Promise<{ status: number; body: string }> {
  const res = await fetch(target.url + target.path, {
    method: target.method,
    headers: target.headers ?? {},
    ...(target.body === undefined ? {} : { body: target.body }),
  })
  return { status: res.status, body: await res.text() }
}
