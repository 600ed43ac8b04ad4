import type { RedisClientType } from 'redis'
import type { EphemeralStore } from '../ports.ts'

/** The ephemeral store on Redis: each operation is one atomic Redis command (or one MULTI). */
export function createRedisEphemeralStore(redis: RedisClientType, prefix = 'keymint:'): EphemeralStore {
  const k = (key: string) => prefix + key
  return {
    async put(key, value, ttlMs) {
      await redis.set(k(key), value, { expiration: { type: 'PX', value: ttlMs } })
    },
    async putIfAbsent(key, value, ttlMs) {
      const reply = await redis.set(k(key), value, { expiration: { type: 'PX', value: ttlMs }, condition: 'NX' })
      return reply === 'OK'
    },
    async get(key) {
      return (await redis.get(k(key))) ?? undefined
    },
    async take(key) {
      return (await redis.getDel(k(key))) ?? undefined
    },
    async delete(key) {
      await redis.del(k(key))
    },
    async increment(key, ttlMs) {
      const [count] = await redis.multi().incr(k(key)).pExpire(k(key), ttlMs, 'NX').exec()
      return Number(count)
    },
    async ping() {
      await redis.ping()
    },
    async close() {
      redis.destroy()
    },
  }
}
