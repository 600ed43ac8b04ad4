import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { PrismaPg } from '@prisma/adapter-pg'
import { PrismaPGlite } from 'pglite-prisma-adapter'
import { deployMigrations } from '../../../../../prisma/engine/schema-engine.mjs'
import { MigratePg } from '../../../../../prisma/engine/pg-migrate-adapter.mjs'
import { PrismaClient } from './generated/client.ts'

export type PrismaConnection = { prisma: PrismaClient; close(): Promise<void> }

/** PostgreSQL over node-postgres: pending migrations are applied first, like `prisma migrate deploy`. */
export async function connectPostgres(url: string, options: { migrate: boolean }): Promise<PrismaConnection> {
  if (options.migrate) await deployMigrations(new MigratePg(url))
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url }) })
  await prisma.$connect()
  return { prisma, close: () => prisma.$disconnect() }
}

/** The embedded default: PostgreSQL in-process through PGlite, its data in `<dataDir>/pg` (or in memory). */
export async function connectPGlite(dataDir: string | undefined): Promise<PrismaConnection & { db: PGlite }> {
  let db: PGlite
  if (dataDir === undefined) {
    db = await PGlite.create()
  } else {
    const dir = join(dataDir, 'pg')
    await mkdir(dir, { recursive: true, mode: 0o700 })
    db = await PGlite.create({ dataDir: dir })
  }
  await deployMigrations(new PrismaPGlite(db))
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(db) })
  return {
    prisma,
    db,
    async close() {
      await prisma.$disconnect()
      await db.close()
    },
  }
}
