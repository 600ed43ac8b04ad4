// A validated authorization request (RFC 6749 §4.1.1 with PKCE, RFC 7636), as it waits in the browser's
// session for the user to sign in and consent.

export type AuthorizationRequest = {
  clientId: string
  redirectUri: string
  /** Whether redirect_uri was in the request: then the token request must repeat it (RFC 6749 §4.1.3). */
  redirectUriSent: boolean
  state: string | undefined
  scopes: string[]
  audience: string | string[]
  /** S256 code challenge: BASE64URL(SHA-256(code_verifier)). */
  codeChallenge: string
}

export type PendingAuthorization = AuthorizationRequest & { expiresAt: number }

/** How long a user has to sign in and consent before the request has to start again. */
export const PENDING_AUTHORIZATION_TTL_SECONDS = 15 * 60
