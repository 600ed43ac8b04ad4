import type { Clock } from '../../clock.ts'
import type { EphemeralStore } from '../ports.ts'

type Entry = { value: string; expiresAt: number }

/**
 * The in-process twin of the Redis ephemeral store, for the embedded default (one issuer process).
 * Expired entries are dropped when read and swept in bounded batches on a timer.
 */
export function createMemoryEphemeralStore(clock: Clock, sweepEveryMs = 30_000): EphemeralStore {
  const entries = new Map<string, Entry>()
  const live = (key: string): Entry | undefined => {
    const entry = entries.get(key)
    if (entry === undefined) return undefined
    if (entry.expiresAt <= clock.now()) {
      entries.delete(key)
      return undefined
    }
    return entry
  }
  const sweep = setInterval(() => {
    const now = clock.now()
    let seen = 0
    for (const [key, entry] of entries) {
      if (entry.expiresAt <= now) entries.delete(key)
      if (++seen >= 10_000) break
    }
  }, sweepEveryMs)
  sweep.unref()

  return {
    async put(key, value, ttlMs) {
      entries.set(key, { value, expiresAt: clock.now() + ttlMs })
    },
    async putIfAbsent(key, value, ttlMs) {
      if (live(key) !== undefined) return false
      entries.set(key, { value, expiresAt: clock.now() + ttlMs })
      return true
    },
    async get(key) {
      return live(key)?.value
    },
    async take(key) {
      const entry = live(key)
      entries.delete(key)
      return entry?.value
    },
    async delete(key) {
      entries.delete(key)
    },
    async increment(key, ttlMs) {
      const entry = live(key)
      const count = entry === undefined ? 1 : Number(entry.value) + 1
      entries.set(key, { value: String(count), expiresAt: entry?.expiresAt ?? clock.now() + ttlMs })
      return count
    },
    async ping() {},
    async close() {
      clearInterval(sweep)
      entries.clear()
    },
  }
}
