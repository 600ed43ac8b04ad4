import type { RefreshTokenStore } from '../storage/ports.ts'
import { hashToken } from '../tokens/hash.ts'
import type { RefreshTokenRecord } from './refresh-token.ts'

/** The stored record of a presented refresh token, in whatever state it is; undefined when unknown. */
export function findRefreshToken(token: string, deps: { refreshTokens: RefreshTokenStore }): Promise<RefreshTokenRecord | undefined> {
  return deps.refreshTokens.findByHash(hashToken(token))
}
