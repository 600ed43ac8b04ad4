import type { Config } from '../config.ts'
import { systemClock } from '../clock.ts'
import type { Stores } from './ports.ts'
import { createMemoryEphemeralStore } from './memory/ephemeral-store.ts'
import { connectPGlite, connectPostgres, type PrismaConnection } from './prisma/connect.ts'
import { createPrismaAuditLog } from './prisma/audit-log.ts'
import { createPrismaClientStore } from './prisma/client-store.ts'
import { createPrismaConsentStore } from './prisma/consent-store.ts'
import { createPrismaKeyStore } from './prisma/key-store.ts'
import { createPrismaRefreshTokenStore } from './prisma/refresh-token-store.ts'
import { createPrismaRevokedAccessTokenStore } from './prisma/revoked-access-token-store.ts'
import { createPrismaUserStore } from './prisma/user-store.ts'
import { connectRedis } from './redis/connect.ts'
import { createRedisEphemeralStore } from './redis/ephemeral-store.ts'

/** Opens durable and ephemeral storage: PostgreSQL + Redis when both URLs are set, else the embedded default. */
export async function openStores(config: Config): Promise<Stores> {
  if (config.databaseUrl !== undefined && config.redisUrl !== undefined) {
    const connection = await connectPostgres(config.databaseUrl, { migrate: true })
    try {
      const ephemeral = createRedisEphemeralStore(await connectRedis(config.redisUrl))
      return assemble('external', connection, ephemeral)
    } catch (error) {
      await connection.close()
      throw error
    }
  }
  const connection = await connectPGlite(config.dataDir)
  return assemble('embedded', connection, createMemoryEphemeralStore(systemClock))
}

export function assemble(mode: Stores['mode'], connection: PrismaConnection, ephemeral: Stores['ephemeral']): Stores {
  const { prisma } = connection
  return {
    mode,
    database: {
      async ping() {
        await prisma.$queryRaw`SELECT 1`
      },
      close: () => connection.close(),
    },
    clients: createPrismaClientStore(prisma),
    users: createPrismaUserStore(prisma),
    consents: createPrismaConsentStore(prisma),
    keys: createPrismaKeyStore(prisma),
    ephemeral,
    audit: createPrismaAuditLog(prisma),
    refreshTokens: createPrismaRefreshTokenStore(prisma),
    revokedAccessTokens: createPrismaRevokedAccessTokenStore(prisma),
    async close() {
      await ephemeral.close()
      await connection.close()
    },
  }
}
