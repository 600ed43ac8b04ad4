import type { JWK } from 'jose'

// A signing key's life: staged (published, not yet signing) → active (signing; one at a time)
// → retired (published, no longer signing, until the tokens it signed have expired) → no longer published.
// revoked: taken out of the JWKS at once (a compromised key). Publication is a function of the record and time.
export const KEY_STATES = ['staged', 'active', 'retired', 'revoked'] as const
export type KeyState = (typeof KEY_STATES)[number]

export type KeyRecord = {
  kid: string
  state: KeyState
  alg: 'RS256'
  /** Public members only: kty, n, e. */
  publicJwk: JWK
  createdAt: Date
  activatedAt: Date | null
  /** When it stopped signing (retired), or was revoked. */
  retiredAt: Date | null
}

/** One change to the key table, as the KeyStore applies it. */
export type KeyChange =
  | { type: 'insert'; key: KeyRecord }
  | { type: 'activate' | 'retire' | 'revoke'; kid: string; at: Date }

/** The timings that decide how long a retired key stays published. Config has these fields. */
export type PublicationWindow = {
  accessTokenTtlSeconds: number
  jwksMaxAgeSeconds: number
  /** How often every instance reloads the key table: how long one may go on signing with a retired key. */
  keyRefreshSeconds: number
}

/**
 * When a key leaves the JWKS; null while it has no end (staged, active). A retired key stays until the last
 * token it can have signed has expired (an instance that has not reloaded yet may sign for one more refresh
 * interval, and that token lives ACCESS_TOKEN_TTL_SECONDS), plus one JWKS cache lifetime as a margin.
 */
export function publishedUntil(key: KeyRecord, window: PublicationWindow): Date | null {
  if (key.state === 'revoked') return key.retiredAt ?? key.createdAt
  if (key.state !== 'retired') return null
  const seconds = window.keyRefreshSeconds + window.accessTokenTtlSeconds + window.jwksMaxAgeSeconds
  return new Date((key.retiredAt ?? key.createdAt).getTime() + seconds * 1000)
}

/** Keys that belong in the JWKS at `now`: everything a resource server may still meet in a valid token. */
export function isPublished(key: KeyRecord, now: Date, window: PublicationWindow): boolean {
  if (key.state === 'revoked') return false
  const until = publishedUntil(key, window)
  return until === null || now < until
}
