import type { Test } from 'tap'
import type { Stores } from '../../src/storage/ports.ts'
import { createTestDatabase } from '../helpers/databases.ts'
import { openTestStores, TEST_STORAGE } from '../helpers/stores.ts'

/**
 * `count` separate connections (one Prisma client each, as separate issuer instances have) to one fresh
 * database. The embedded PGlite database belongs to one process, so there the same stores are shared.
 */
export async function sharedStores(t: Test, count: number): Promise<Stores[]> {
  if (TEST_STORAGE === 'embedded') {
    const stores = await openTestStores(t, 'embedded')
    return Array.from({ length: count }, () => stores)
  }
  const databaseUrl = await createTestDatabase(t)
  // Migrated once first, as `keymint db migrate` would; the instances then start together.
  const first = await openTestStores(t, 'external', { databaseUrl })
  const rest = await Promise.all(Array.from({ length: count - 1 }, () => openTestStores(t, 'external', { databaseUrl })))
  return [first, ...rest]
}
