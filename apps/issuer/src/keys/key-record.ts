import type { JWK } from 'jose'

// A signing key's life: staged (published, not yet signing) → active (signing; one at a time)
// → retired (published, no longer signing, until the tokens it signed have expired) → removed.
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
  retiredAt: Date | null
}

/** Keys that belong in the JWKS: everything a resource server may still meet in a valid token. */
export function isPublished(key: KeyRecord): boolean {
  return key.state === 'staged' || key.state === 'active' || key.state === 'retired'
}
