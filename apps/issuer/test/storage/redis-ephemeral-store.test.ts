import t from 'tap'
import { createRedisEphemeralStore } from '../../src/storage/redis/ephemeral-store.ts'
import { createTestRedis } from '../helpers/databases.ts'
import { ephemeralStoreContract } from './ephemeral-store.contract.ts'

t.test('Redis ephemeral store', async (t) => {
  ephemeralStoreContract(t, async (t) => {
    const { redis, prefix } = await createTestRedis(t)
    return createRedisEphemeralStore(redis, prefix)
  })

  t.test('keys carry the prefix and the time to live in Redis itself', async (t) => {
    const { redis, prefix } = await createTestRedis(t)
    const store = createRedisEphemeralStore(redis, prefix)
    await store.put('a', 'x', 5_000)
    await store.increment('n', 7_000)
    await store.increment('n', 60_000)
    const ttlA = await redis.pTTL(`${prefix}a`)
    const ttlN = await redis.pTTL(`${prefix}n`)
    t.ok(ttlA > 4_000 && ttlA <= 5_000, `a expires in ${ttlA} ms`)
    t.ok(ttlN > 6_000 && ttlN <= 7_000, `n keeps its first time to live (${ttlN} ms)`)
    t.equal(await redis.get(`${prefix}a`), 'x')
    await store.close()
  })

  t.test('a closed connection fails fast instead of queueing', async (t) => {
    const { redis, prefix } = await createTestRedis(t)
    const store = createRedisEphemeralStore(redis, prefix)
    await store.close()
    await t.rejects(store.get('a'))
    await t.rejects(store.ping())
  })
})
