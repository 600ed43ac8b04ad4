import type { Clock } from '../clock.ts'
import type { ClientLookup } from './authenticate.ts'
import type { Client } from './client.ts'

export type ClientCache = {
  /** The client, from the cache while its entry is fresh, else from the lookup (concurrent misses share one). */
  find: ClientLookup
  /** Forgets one client: called when it is registered or deleted. */
  invalidate(id: string): void
  clear(): void
}

export type ClientCacheOptions = {
  lookup: ClientLookup
  clock: Clock
  /** How long a found client is served without asking storage again; 0 turns the cache off. */
  ttlSeconds: number
  maxEntries?: number
}

type Entry = { client: Client; expiresAt: number }

/**
 * A short, bounded cache of client records in front of the client store, so the token endpoint does not
 * query the database on every request. Unknown ids are never cached (a client registered a moment ago
 * authenticates at once). Invalidation is per process: with several issuers on one database, a client
 * deleted through one of them is still served by the others for at most `ttlSeconds`.
 */
export function createClientCache(options: ClientCacheOptions): ClientCache {
  const { lookup, clock } = options
  const ttlMs = options.ttlSeconds * 1000
  const maxEntries = options.maxEntries ?? 10_000
  const entries = new Map<string, Entry>()
  // The lookup in flight per id. invalidate() and clear() drop it, so a lookup that raced them finds itself
  // no longer pending when it settles and does not store what it read.
  const pending = new Map<string, Promise<Client | undefined>>()

  function store(id: string, client: Client): void {
    entries.delete(id)
    if (entries.size >= maxEntries) {
      const oldest = entries.keys().next()
      if (!oldest.done) entries.delete(oldest.value)
    }
    entries.set(id, { client, expiresAt: clock.now() + ttlMs })
  }

  function load(id: string): Promise<Client | undefined> {
    const loading = lookup(id).then(
      (client) => {
        if (pending.get(id) === loading) {
          pending.delete(id)
          if (client !== undefined) store(id, client)
        }
        return client
      },
      (error: unknown) => {
        if (pending.get(id) === loading) pending.delete(id)
        throw error
      },
    )
    pending.set(id, loading)
    return loading
  }

  return {
    async find(id) {
      if (ttlMs <= 0) return lookup(id)
      const entry = entries.get(id)
      if (entry !== undefined) {
        if (entry.expiresAt > clock.now()) return entry.client
        entries.delete(id)
      }
      return pending.get(id) ?? load(id)
    },
    invalidate(id) {
      entries.delete(id)
      pending.delete(id)
    },
    clear() {
      entries.clear()
      pending.clear()
    },
  }
}
