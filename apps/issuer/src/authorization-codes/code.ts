import { hashToken } from '../tokens/hash.ts'

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

/** The access token the first redemption issued, kept so that a replay can put it on the denylist (RFC 6749 §4.1.2). */
export type Redeemed = { jti: string; exp: number }

export const codeKey = (hash: string) => `code:${hash}`
export const redeemedKey = (hash: string) => `code-redeemed:${hash}`
/** Set by a replay, so that a redemption still in flight revokes what it is about to hand out. */
export const replayedKey = (hash: string) => `code-replayed:${hash}`

/**
 * The refresh-token family a code starts, derived from the code's hash: a replay finds it in PostgreSQL for
 * as long as the family lives, without the ephemeral store having to remember every redemption that long.
 */
export function familyIdOf(hash: string): string {
  return hashToken(`authorization-code-family:${hash}`).slice(0, 22)
}
