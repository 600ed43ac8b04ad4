import type { ConsentStore } from '../ports.ts'
import type { PrismaClient } from './generated/client.ts'

export function createPrismaConsentStore(prisma: PrismaClient): ConsentStore {
  return {
    async find(userId, clientId) {
      const row = await prisma.consent.findUnique({ where: { userId_clientId: { userId, clientId } }, select: { scopes: true } })
      return row?.scopes
    },
    async grant(userId, clientId, scopes) {
      // One statement, so two grants at once both land: the scopes are merged by the database.
      await prisma.$executeRaw`
        INSERT INTO consents (user_id, client_id, scopes, updated_at) VALUES (${userId}, ${clientId}, ${scopes}::text[], now())
        ON CONFLICT (user_id, client_id) DO UPDATE
        SET scopes = ARRAY(SELECT DISTINCT s FROM unnest(consents.scopes || EXCLUDED.scopes) AS s ORDER BY s), updated_at = now()`
    },
  }
}
