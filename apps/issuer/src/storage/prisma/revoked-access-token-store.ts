import type { RevokedAccessTokenStore } from '../ports.ts'
import type { PrismaClient } from './generated/client.ts'

export function createPrismaRevokedAccessTokenStore(prisma: PrismaClient): RevokedAccessTokenStore {
  return {
    async insert(jti, expiresAt) {
      await prisma.$executeRaw`
        INSERT INTO revoked_access_tokens (jti, expires_at) VALUES (${jti}, ${expiresAt}::timestamptz)
        ON CONFLICT (jti) DO NOTHING`
    },

    async isRevoked(jti, now) {
      const row = await prisma.revokedAccessToken.findUnique({ where: { jti }, select: { expiresAt: true } })
      return row !== null && row.expiresAt > now
    },

    async listLive({ now, afterJti, limit }) {
      return prisma.revokedAccessToken.findMany({
        where: { expiresAt: { gt: now }, ...(afterJti === undefined ? {} : { jti: { gt: afterJti } }) },
        orderBy: { jti: 'asc' },
        take: limit,
        select: { jti: true, expiresAt: true },
      })
    },

    // Bounded like the refresh-token purge: at most `limit` keys per statement, skipping locked rows.
    async purge({ now, limit }) {
      return prisma.$executeRaw`
        DELETE FROM revoked_access_tokens WHERE jti IN (
          SELECT jti FROM revoked_access_tokens WHERE expires_at <= ${now}::timestamptz
          LIMIT ${limit}
          FOR UPDATE SKIP LOCKED)`
    },
  }
}
