import { randomBytes } from 'node:crypto'
import pg from 'pg'
import type { Test } from 'tap'
import { connectRedis } from '../../src/storage/redis/connect.ts'

// Real PostgreSQL and Redis for tests: a database of its own per test (dropped at teardown) and a Redis
// key prefix of its own (deleted at teardown), so test files can run in parallel on the same servers.

export const PG_ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres'
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'

export async function createTestDatabase(t: Test): Promise<string> {
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL })
  await admin.connect()
  const name = `keymint_test_${randomBytes(6).toString('hex')}`
  await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`)
  t.teardown(async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(name)} WITH (FORCE)`)
    await admin.end()
  })
  const url = new URL(PG_ADMIN_URL)
  url.pathname = `/${name}`
  return url.href
}

/** A Redis connection and a key prefix that belongs to this test alone. */
export async function createTestRedis(t: Test) {
  const redis = await connectRedis(REDIS_URL)
  const prefix = `keymint_test:${randomBytes(6).toString('hex')}:`
  t.teardown(async () => {
    if (redis.isOpen) redis.destroy()
    const cleaner = await connectRedis(REDIS_URL)
    for await (const keys of cleaner.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) {
      if (keys.length > 0) await cleaner.del(keys)
    }
    cleaner.destroy()
  })
  return { redis, prefix }
}
