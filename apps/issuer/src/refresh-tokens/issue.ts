import { hashToken } from '../tokens/hash.ts'
import { randomToken } from '../tokens/random.ts'
import type { RefreshTokenDeps } from './refresh-token.ts'

export type RefreshTokenGrant = {
  clientId: string
  userId: string
  scopes: string[]
  audiences: string[]
  authTime: Date | null
  /** The family's id when the caller must know it in advance (authorization-codes/redeem.ts); random otherwise. */
  familyId?: string | undefined
}

/**
 * Starts a family with its first refresh token: 256 random bits, of which only the hash is stored. The row
 * is written before this returns, so the token is durable before any response carries it.
 */
export async function issueRefreshToken(input: RefreshTokenGrant, deps: RefreshTokenDeps): Promise<{ token: string; familyId: string }> {
  const now = deps.clock.now()
  const { idleSeconds, absoluteSeconds } = deps.refreshTokenPolicy
  const token = randomToken()
  const familyId = input.familyId ?? randomToken(16)
  const familyExpiresAt = now + absoluteSeconds * 1000
  await deps.refreshTokens.insert({
    hash: hashToken(token),
    familyId,
    parentHash: null,
    clientId: input.clientId,
    userId: input.userId,
    scopes: [...new Set(input.scopes)],
    audiences: [...new Set(input.audiences)],
    authTime: input.authTime,
    issuedAt: new Date(now),
    expiresAt: new Date(Math.min(now + idleSeconds * 1000, familyExpiresAt)),
    familyExpiresAt: new Date(familyExpiresAt),
  })
  return { token, familyId }
}
