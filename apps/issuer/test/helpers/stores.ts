import type { Test } from 'tap'
import { manualClock } from '../../src/clock.ts'
import { createMemoryEphemeralStore } from '../../src/storage/memory/ephemeral-store.ts'
import { assemble } from '../../src/storage/open.ts'
import type { Stores } from '../../src/storage/ports.ts'
import { connectPGlite, connectPostgres } from '../../src/storage/prisma/connect.ts'
import { createRedisEphemeralStore } from '../../src/storage/redis/ephemeral-store.ts'
import { createTestDatabase, createTestRedis } from './databases.ts'

export type StorageKind = 'external' | 'embedded'

/** Which storage the HTTP tests run on: real PostgreSQL + Redis unless KEYMINT_TEST_STORAGE=embedded. */
export const TEST_STORAGE: StorageKind = process.env.KEYMINT_TEST_STORAGE === 'embedded' ? 'embedded' : 'external'

/**
 * Fresh, migrated stores of the given kind, closed (and dropped) at teardown. `databaseUrl` (external only):
 * connect to that test database instead of creating one, e.g. several issuer instances on one database.
 */
export async function openTestStores(t: Test, kind: StorageKind = TEST_STORAGE, options: { databaseUrl?: string } = {}): Promise<Stores> {
  let stores: Stores
  if (kind === 'external') {
    const connection = await connectPostgres(options.databaseUrl ?? (await createTestDatabase(t)), { migrate: true })
    const { redis, prefix } = await createTestRedis(t)
    stores = assemble('external', connection, createRedisEphemeralStore(redis, prefix))
  } else {
    stores = assemble('embedded', await connectPGlite(undefined), createMemoryEphemeralStore(manualClock()))
  }
  // Registered after the database's own teardown, so it runs first (tap runs teardowns in reverse).
  t.teardown(() => stores.close())
  return stores
}
