import t from 'tap'
import { createAdminOperations } from '../../src/admin/operations.ts'
import { createClientCache } from '../../src/clients/client-cache.ts'
import type { Client } from '../../src/clients/client.ts'
import { createSecretHasher } from '../../src/clients/secret.ts'
import { manualClock } from '../../src/clock.ts'
import { openTestStores } from '../helpers/stores.ts'

// The token endpoint's cache of client records: bounded, short-lived, never caching an unknown id, and
// forgotten for a client the admin operations register or delete (that case on real storage). Time moves
// only when the test says so.

function client(id: string, name = 'a client'): Client {
  const at = new Date(0)
  return {
    id,
    name,
    secretHash: 'hmac-sha256$x',
    authMethod: 'client_secret_basic',
    grantTypes: ['client_credentials'],
    scopes: [],
    audiences: ['https://api.example.com'],
    redirectUris: [],
    firstParty: false,
    refreshTokenCookie: false,
    allowedOrigins: [],
    createdAt: at,
    updatedAt: at,
  }
}

/** A lookup over a mutable table that counts its calls. */
function table(...clients: Client[]) {
  const rows = new Map(clients.map((c) => [c.id, c]))
  const calls: string[] = []
  return {
    rows,
    calls,
    lookup: async (id: string) => {
      calls.push(id)
      return rows.get(id)
    },
  }
}

t.test('serves a found client from memory until its entry expires', async (t) => {
  const clock = manualClock(1_000_000)
  const db = table(client('a'))
  const cache = createClientCache({ lookup: db.lookup, clock, ttlSeconds: 30 })
  t.equal((await cache.find('a'))?.id, 'a')
  db.rows.set('a', client('a', 'renamed'))
  clock.advance(29_999)
  t.equal((await cache.find('a'))?.name, 'a client', 'still the cached record')
  t.same(db.calls, ['a'])
  clock.advance(1)
  t.equal((await cache.find('a'))?.name, 'renamed', 'read again once the TTL is over')
  t.same(db.calls, ['a', 'a'])
})

t.test('does not cache an unknown client', async (t) => {
  const clock = manualClock()
  const db = table()
  const cache = createClientCache({ lookup: db.lookup, clock, ttlSeconds: 30 })
  t.equal(await cache.find('new'), undefined)
  db.rows.set('new', client('new'))
  t.equal((await cache.find('new'))?.id, 'new', 'found as soon as it exists')
  t.same(db.calls, ['new', 'new'])
})

t.test('invalidate forgets one client; clear forgets all', async (t) => {
  const clock = manualClock()
  const db = table(client('a'), client('b'))
  const cache = createClientCache({ lookup: db.lookup, clock, ttlSeconds: 30 })
  await cache.find('a')
  await cache.find('b')
  db.rows.delete('a')
  cache.invalidate('a')
  t.equal(await cache.find('a'), undefined)
  t.equal((await cache.find('b'))?.id, 'b')
  t.same(db.calls, ['a', 'b', 'a'])
  cache.clear()
  await cache.find('b')
  t.same(db.calls, ['a', 'b', 'a', 'b'])
})

t.test('concurrent misses share one lookup', async (t) => {
  const clock = manualClock()
  const db = table(client('a'))
  const cache = createClientCache({ lookup: db.lookup, clock, ttlSeconds: 30 })
  const found = await Promise.all([cache.find('a'), cache.find('a'), cache.find('a')])
  t.same(found.map((c) => c?.id), ['a', 'a', 'a'])
  t.same(db.calls, ['a'])
})

/** A cache whose lookups stay in flight until the test releases the latest one. */
function heldLookups() {
  let resolveLatest: (c: Client | undefined) => void = () => {}
  const calls: string[] = []
  const cache = createClientCache({
    lookup: (id) => {
      calls.push(id)
      return new Promise((resolve) => (resolveLatest = resolve))
    },
    clock: manualClock(),
    ttlSeconds: 30,
  })
  return { cache, calls, release: (c: Client | undefined) => resolveLatest(c) }
}

t.test('a lookup that was in flight when the client was invalidated is not stored', async (t) => {
  const { cache, calls, release } = heldLookups()
  const stale = cache.find('a')
  cache.invalidate('a')
  release(client('a', 'deleted meanwhile'))
  t.equal((await stale)?.name, 'deleted meanwhile', 'the caller that asked before still gets its answer')
  const fresh = cache.find('a')
  release(undefined)
  t.equal(await fresh, undefined, 'but the next request asks storage again')
  t.same(calls, ['a', 'a'])
})

t.test('invalidating one client does not keep another in-flight lookup from being stored', async (t) => {
  const { cache, calls, release } = heldLookups()
  const found = cache.find('a')
  cache.invalidate('b')
  release(client('a'))
  t.equal((await found)?.id, 'a')
  t.equal((await cache.find('a'))?.id, 'a', 'served from memory')
  t.same(calls, ['a'])
})

t.test('a failed lookup is not cached and reaches the caller', async (t) => {
  const clock = manualClock()
  let fail = true
  const cache = createClientCache({
    lookup: async (id) => {
      if (fail) throw new Error('database down')
      return client(id)
    },
    clock,
    ttlSeconds: 30,
  })
  await t.rejects(cache.find('a'), { message: 'database down' })
  fail = false
  t.equal((await cache.find('a'))?.id, 'a')
})

t.test('holds at most maxEntries, dropping the oldest', async (t) => {
  const clock = manualClock()
  const db = table(client('a'), client('b'), client('c'))
  const cache = createClientCache({ lookup: db.lookup, clock, ttlSeconds: 30, maxEntries: 2 })
  await cache.find('a')
  await cache.find('b')
  await cache.find('c')
  await cache.find('c')
  await cache.find('b')
  t.same(db.calls, ['a', 'b', 'c'], 'b and c still cached')
  await cache.find('a')
  t.same(db.calls, ['a', 'b', 'c', 'a'], 'a was dropped')
})

t.test('ttlSeconds 0 turns the cache off', async (t) => {
  const clock = manualClock()
  const db = table(client('a'))
  const cache = createClientCache({ lookup: db.lookup, clock, ttlSeconds: 0 })
  await cache.find('a')
  await cache.find('a')
  t.same(db.calls, ['a', 'a'])
})

t.test('the admin operations invalidate the client they register or delete', async (t) => {
  const clock = manualClock()
  const stores = await openTestStores(t)
  const cache = createClientCache({ lookup: (id) => stores.clients.findById(id), clock, ttlSeconds: 30 })
  const ops = createAdminOperations({ stores, hasher: createSecretHasher('k'), clientCache: cache })
  const { client: created } = await ops.createClient({
    name: 'svc',
    grantTypes: ['client_credentials'],
    scopes: [],
    audiences: ['https://api.example.com'],
  })
  t.equal((await cache.find(created.id))?.id, created.id)
  t.ok(await ops.deleteClient(created.id))
  t.equal(await cache.find(created.id), undefined, 'a deleted client stops authenticating at once')
})
