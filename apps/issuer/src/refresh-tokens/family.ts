import type { Clock } from '../clock.ts'
import { EVENTS } from '../events.ts'
import type { AuditLog, RefreshTokenStore } from '../storage/ports.ts'

export type FamilyDeps = { refreshTokens: RefreshTokenStore; audit: AuditLog; clock: Clock }

export type FamilyRevocation = {
  reason: 'reuse' | 'revocation' | 'logout'
  clientId?: string | undefined
  userId?: string | null | undefined
}

/**
 * Revokes every token of a family (the one presented, its ancestors and its descendants) in one update.
 * Returns how many were still unrevoked; only a revocation that changed something is recorded.
 */
export async function revokeFamily(
  familyId: string,
  deps: FamilyDeps,
  context: FamilyRevocation = { reason: 'revocation' },
): Promise<number> {
  const revoked = await deps.refreshTokens.revokeFamily(familyId, new Date(deps.clock.now()))
  if (revoked > 0) {
    await deps.audit.record({
      type: EVENTS.refreshTokenFamilyRevoked,
      clientId: context.clientId,
      userId: context.userId ?? undefined,
      detail: { familyId, reason: context.reason, tokens: revoked },
    })
  }
  return revoked
}
