import type { Clock } from '../clock.ts'
import type { RefreshTokenStore } from '../storage/ports.ts'

// A refresh token as stored: the SHA-256 of the token (never the token), the family it belongs to (every
// token rotated from one grant), and its limits. A token is spent once (usedAt) and its child replaces it.

export type RefreshTokenRecord = {
  hash: string
  familyId: string
  parentHash: string | null
  clientId: string
  userId: string | null
  scopes: string[]
  audiences: string[]
  authTime: Date | null
  issuedAt: Date
  /** Idle expiry: each rotation gives the child a later one, never past familyExpiresAt. */
  expiresAt: Date
  /** Absolute expiry of the family: never extended. */
  familyExpiresAt: Date
  usedAt: Date | null
  revokedAt: Date | null
}

export type NewRefreshToken = Omit<RefreshTokenRecord, 'usedAt' | 'revokedAt'>

export type RefreshTokenPolicy = {
  idleSeconds: number
  absoluteSeconds: number
  /** A spent token presented again within this many seconds is rotated again instead of revoking its family; 0 = off. */
  reuseGraceSeconds: number
}

/** What issuing and rotating need. */
export type RefreshTokenDeps = { refreshTokens: RefreshTokenStore; clock: Clock; refreshTokenPolicy: RefreshTokenPolicy }

export type RefreshTokenState = 'active' | 'used' | 'revoked' | 'expired'

export function stateOf(record: RefreshTokenRecord, now: number): RefreshTokenState {
  if (record.revokedAt !== null) return 'revoked'
  if (record.expiresAt.getTime() <= now || record.familyExpiresAt.getTime() <= now) return 'expired'
  return record.usedAt === null ? 'active' : 'used'
}
