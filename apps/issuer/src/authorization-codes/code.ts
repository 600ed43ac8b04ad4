// Authorization codes live in the ephemeral store under the SHA-256 of the code, never in clear.

/** RFC 6749 §4.1.2 recommends at most 10 minutes; a browser redirect needs seconds. */
export const CODE_TTL_SECONDS = 60

/** Everything the token request is checked against, and what the tokens will say. */
export type AuthorizationCodeRecord = {
  clientId: string
  redirectUri: string
  redirectUriSent: boolean
  userId: string
  scopes: string[]
  audience: string | string[]
  codeChallenge: string
  /** When the user signed in, in seconds (the access token's auth_time). */
  authTime: number
  expiresAt: number
}

/** What the first redemption issued, kept so that a replay can revoke it (RFC 6749 §4.1.2, §10.5). */
export type Redeemed = { jti: string; exp: number; familyId?: string | undefined }

export const codeKey = (hash: string) => `code:${hash}`
export const redeemedKey = (hash: string) => `code-redeemed:${hash}`
