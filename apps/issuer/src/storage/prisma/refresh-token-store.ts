import type { RefreshTokenRecord } from '../../refresh-tokens/refresh-token.ts'
import type { RefreshTokenStore } from '../ports.ts'
import type { PrismaClient } from './generated/client.ts'

const select = {
  hash: true,
  familyId: true,
  parentHash: true,
  clientId: true,
  userId: true,
  scopes: true,
  audiences: true,
  authTime: true,
  issuedAt: true,
  expiresAt: true,
  familyExpiresAt: true,
  usedAt: true,
  revokedAt: true,
} as const

export function createPrismaRefreshTokenStore(prisma: PrismaClient): RefreshTokenStore {
  return {
    async insert(token) {
      await prisma.refreshToken.create({ data: token, select: { hash: true } })
    },

    // One statement, so one transaction: the UPDATE spends the presented row only if it is still live (row
    // lock + re-check under READ COMMITTED: of concurrent rotations exactly one sees used_at IS NULL), and
    // the INSERT writes the child from what the UPDATE returned, or nothing when it returned nothing. A token
    // rotated again within the grace window supersedes the unused child it had before: that one is revoked,
    // so a family never has two live heads (and presenting it later counts as reuse, refresh-tokens/rotate.ts).
    async rotate({ hash, clientId, scopes, audiences, now, graceSince, next }) {
      const rows = await prisma.$queryRaw<RefreshTokenRecord[]>`
        WITH spent AS (
          UPDATE refresh_tokens AS r SET used_at = COALESCE(r.used_at, ${now}::timestamptz)
          WHERE r.hash = ${hash}
            AND r.client_id = ${clientId}
            AND r.scopes @> ${scopes}::text[]
            AND r.audiences @> ${audiences}::text[]
            AND r.revoked_at IS NULL
            AND r.expires_at > ${now}::timestamptz
            AND r.family_expires_at > ${now}::timestamptz
            AND (r.used_at IS NULL OR (r.used_at > ${graceSince}::timestamptz AND NOT EXISTS (
              SELECT 1 FROM refresh_tokens AS c
              WHERE c.family_id = r.family_id AND c.parent_hash = r.hash AND c.used_at IS NOT NULL)))
          RETURNING r.*
        ), superseded AS (
          UPDATE refresh_tokens AS s SET revoked_at = ${now}::timestamptz
          FROM spent
          WHERE s.parent_hash = spent.hash AND s.family_id = spent.family_id AND s.used_at IS NULL AND s.revoked_at IS NULL
        )
        INSERT INTO refresh_tokens (hash, family_id, parent_hash, client_id, user_id, scopes, audiences, auth_time,
                                    issued_at, expires_at, family_expires_at)
        SELECT ${next.hash}, family_id, hash, client_id, user_id, scopes, audiences, auth_time,
               ${now}::timestamptz, LEAST(${next.expiresAt}::timestamptz, family_expires_at), family_expires_at
        FROM spent
        RETURNING hash, family_id AS "familyId", parent_hash AS "parentHash", client_id AS "clientId", user_id AS "userId",
                  scopes, audiences, auth_time AS "authTime", issued_at AS "issuedAt", expires_at AS "expiresAt",
                  family_expires_at AS "familyExpiresAt", used_at AS "usedAt", revoked_at AS "revokedAt"`
      return rows[0]
    },

    async findByHash(hash) {
      return (await prisma.refreshToken.findUnique({ where: { hash }, select })) ?? undefined
    },

    async revokeFamily(familyId, at) {
      const { count } = await prisma.refreshToken.updateMany({ where: { familyId, revokedAt: null }, data: { revokedAt: at } })
      return count
    },

    // Bounded: the subselect picks at most `limit` primary keys, skipping rows a rotation holds locked.
    async purge({ now, revokedBefore, limit }) {
      return prisma.$executeRaw`
        DELETE FROM refresh_tokens WHERE hash IN (
          SELECT hash FROM refresh_tokens
          WHERE expires_at <= ${now}::timestamptz
             OR family_expires_at <= ${now}::timestamptz
             OR revoked_at <= ${revokedBefore}::timestamptz
          LIMIT ${limit}
          FOR UPDATE SKIP LOCKED)`
    },
  }
}
