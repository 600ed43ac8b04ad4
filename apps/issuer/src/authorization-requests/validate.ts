import { allowsGrant, type Client } from '../clients/client.ts'
import type { ClientLookup } from '../clients/authenticate.ts'
import { InvalidRequest, UnauthorizedClient, UnsupportedResponseType } from '../errors.ts'
import type { Params } from '../grants/params.ts'
import { grantedScopes, resolveAudience } from '../grants/scope-request.ts'
import { isS256Challenge } from '../authorization-codes/pkce.ts'
import type { AuthorizationRequest } from './authorization-request.ts'

export type ClientRedirect = { client: Client; redirectUri: string; redirectUriSent: boolean }

/**
 * RFC 6749 §4.1.2.1, first half: the client and where to send the answer. Any problem here must be shown to
 * the user and never redirected (§3.1.2.4, RFC 9700 §4.1), so these errors are thrown before the route
 * says where errors go. redirect_uri must equal a registered one exactly; it may be left out only when
 * the client registered a single one.
 */
export async function resolveClientRedirect(params: Params, findClient: ClientLookup): Promise<ClientRedirect> {
  const clientId = params.one('client_id')
  if (clientId === undefined) throw new InvalidRequest('the request has no client_id')
  const client = await findClient(clientId)
  if (client === undefined) throw new InvalidRequest('the application (client_id) is not registered here')
  const sent = params.one('redirect_uri')
  if (sent !== undefined) {
    if (!client.redirectUris.includes(sent)) throw new InvalidRequest('redirect_uri is not registered for this application')
    return { client, redirectUri: sent, redirectUriSent: true }
  }
  const [only, ...others] = client.redirectUris
  if (only === undefined) throw new InvalidRequest('the application has no registered redirect_uri')
  if (others.length > 0) throw new InvalidRequest('redirect_uri is required: the application registered several')
  return { client, redirectUri: only, redirectUriSent: false }
}

/** The state to echo in an error redirect: only when sent exactly once. */
export function stateOf(params: Params): string | undefined {
  const states = params.many('state')
  return states.length === 1 ? states[0] : undefined
}

/** The second half: everything else, with errors that go back to the client (response_type=code, PKCE S256). */
export function validateAuthorizationRequest(params: Params, target: ClientRedirect): AuthorizationRequest {
  const { client } = target
  const state = params.one('state')
  const responseType = params.one('response_type')
  if (responseType === undefined) throw new InvalidRequest('response_type is required')
  if (responseType !== 'code') throw new UnsupportedResponseType('only response_type=code is supported')
  const responseMode = params.one('response_mode')
  if (responseMode !== undefined && responseMode !== 'query') throw new InvalidRequest('only response_mode=query is supported')
  if (!allowsGrant(client, 'authorization_code')) throw new UnauthorizedClient('the client is not allowed the authorization_code grant')

  const method = params.one('code_challenge_method')
  const codeChallenge = params.one('code_challenge')
  if (codeChallenge === undefined) throw new InvalidRequest('code_challenge is required (PKCE)')
  if (method !== 'S256') throw new InvalidRequest('code_challenge_method must be S256')
  if (!isS256Challenge(codeChallenge)) throw new InvalidRequest('code_challenge must be 43 base64url characters')

  const scopes = grantedScopes(params.one('scope'), client.scopes)
  const audience = resolveAudience(client, params.many('resource'))
  return {
    clientId: client.id,
    redirectUri: target.redirectUri,
    redirectUriSent: target.redirectUriSent,
    state,
    scopes,
    audience,
    codeChallenge,
  }
}
