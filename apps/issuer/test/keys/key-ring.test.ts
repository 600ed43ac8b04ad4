import { readdir, rm } from 'node:fs/promises'
import t, { type Test } from 'tap'
import { manualClock } from '../../src/clock.ts'
import { TemporarilyUnavailable } from '../../src/errors.ts'
import { privateKeyPath } from '../../src/keys/key-files.ts'
import type { KeyRecord } from '../../src/keys/key-record.ts'
import { startKeyMaintenance } from '../../src/keys/key-maintenance.ts'
import { openKeyRing } from '../../src/keys/key-ring.ts'
import { planRotation } from '../../src/keys/rotation.ts'
import { transitionKeys, type KeyDeps } from '../../src/keys/transition.ts'
import type { Stores } from '../../src/storage/ports.ts'
import { watchKeyChanges } from '../../src/storage/prisma/key-changes.ts'
import { createTestDatabase } from '../helpers/databases.ts'
import { temporaryDir } from '../helpers/issuer.ts'
import { openTestStores } from '../helpers/stores.ts'
import { pollFor } from './process-fixtures.ts'
import { POLICY } from './rotation-policy.ts'
import { sharedStores } from './shared-stores.ts'

// The key ring and the KeyStore transition on real storage: transitions that race, conditional updates,
// what a reload does to the signer and the JWKS.

const PROMOTION_MS = (300 + 10) * 1000

async function keyDeps(t: Test, stores: Stores, keysDir?: string): Promise<KeyDeps & { clock: ReturnType<typeof manualClock> }> {
  return {
    keyStore: stores.keys,
    keysDir: keysDir ?? (await temporaryDir(t, 'keymint-keys-')),
    clock: manualClock(Date.parse('2025-01-01T00:00:00Z')),
    modulusLength: 2048,
    policy: POLICY,
  }
}

const pems = async (dir: string) => (await readdir(dir)).filter((name) => name.endsWith('.private.pem')).sort()
const byState = (keys: KeyRecord[], state: KeyRecord['state']) => keys.filter((key) => key.state === state)

t.test('instances starting together on an empty table make exactly one active key', async (t) => {
  const stores = await sharedStores(t, 4)
  const keysDir = await temporaryDir(t, 'keymint-keys-')
  const deps = await Promise.all(stores.map((s) => keyDeps(t, s, keysDir)))
  const results = await Promise.all([...deps, ...deps].map((d) => transitionKeys(d, (keys, now) => planRotation(keys, now, POLICY))))
  const keys = await stores[0].keys.list()
  t.equal(keys.length, 1)
  t.equal(keys[0]?.state, 'active')
  t.equal(results.filter((r) => r.steps.length > 0).length, 1, 'one of eight did it')
  for (const result of results) t.same(result.keys.map((k) => k.kid), [keys[0]?.kid], 'each ends with the same view')
  t.same(await pems(keysDir), [`${keys[0]?.kid}.private.pem`], 'the losers removed their unused private keys')
})

t.test('a due promotion run by several instances at once happens once', async (t) => {
  const stores = await sharedStores(t, 3)
  const keysDir = await temporaryDir(t, 'keymint-keys-')
  const clock = manualClock(Date.parse('2025-01-01T00:00:00Z'))
  const rings = []
  for (const s of stores) rings.push(await openKeyRing({ ...(await keyDeps(t, s, keysDir)), clock }))
  const [a, b, c] = rings
  const first = a.signer().kid
  t.equal(b.signer().kid, first)
  const staged = await b.rotate()
  t.equal(staged.state, 'staged')
  t.equal(a.signer().kid, first, 'staging does not change the signer')

  clock.advance(PROMOTION_MS - 1)
  t.same(await Promise.all(rings.map((r) => r.reload())), [[], [], []], 'not yet')
  clock.advance(1)
  const steps = await Promise.all(rings.map((r) => r.reload()))
  t.equal(steps.filter((s) => s.length > 0).length, 1, 'one instance promoted, the others found it done')
  for (const ring of [a, b, c]) t.equal(ring.signer().kid, staged.kid)
  const keys = await stores[0].keys.list()
  t.same(byState(keys, 'active').map((k) => k.kid), [staged.kid])
  t.same(byState(keys, 'retired').map((k) => k.kid), [first])
  t.same(byState(keys, 'active')[0]?.activatedAt, new Date(clock.now()))
})

t.test('the KeyStore refuses changes that find a key already moved, and more than one active key', async (t) => {
  const stores = await openTestStores(t)
  const deps = await keyDeps(t, stores)
  const ring = await openKeyRing(deps)
  const [active] = ring.keys() as [KeyRecord]
  const at = new Date(deps.clock.now())

  await t.rejects(
    stores.keys.transition(() => [
      { type: 'retire', kid: active.kid, at },
      { type: 'activate', kid: active.kid, at },
    ]),
    /cannot activate signing key .*: it is not staged/,
  )
  t.same(await stores.keys.list(), [active], 'the whole transaction rolled back')

  const second = { ...active, kid: 'second', createdAt: at, activatedAt: at }
  await t.rejects(stores.keys.transition(() => [{ type: 'insert', key: second }]), /leaves 2 active keys/)
  t.same(await stores.keys.list(), [active])
  t.same(await stores.keys.transition(() => []), [active], 'no changes: the keys as they are')
})

t.test('the signer follows the active key, and the JWKS follows time', async (t) => {
  const stores = await openTestStores(t)
  const deps = await keyDeps(t, stores)
  const ring = await openKeyRing(deps)
  const first = ring.signer().kid
  const published = () => (JSON.parse(ring.jwks().body) as { keys: { kid: string }[] }).keys.map((k) => k.kid)
  t.same(published(), [first])

  const staged = await ring.rotate()
  t.same(published(), [first, staged.kid], 'a staged key is published at once by the instance that staged it')
  const etag = ring.jwks().etag
  t.equal(ring.jwks(), ring.jwks(), 'serialized once per change')

  deps.clock.advance(PROMOTION_MS)
  await ring.reload()
  t.equal(ring.signer().kid, staged.kid)
  t.same(published(), [first, staged.kid], 'the retired key stays published')
  t.equal(ring.jwks().etag, etag, 'same keys, same ETag')

  const windowMs = (10 + 900 + 300) * 1000
  deps.clock.advance(windowMs - 1)
  t.same(published(), [first, staged.kid])
  deps.clock.advance(1)
  t.same(published(), [staged.kid], 'gone once its window has passed, without a reload')
  t.not(ring.jwks().etag, etag)
  t.equal((await stores.keys.list()).find((k) => k.kid === first)?.state, 'retired', 'the record stays')
})

t.test('revoking the active key: out of the JWKS and no longer signing, at once', async (t) => {
  const stores = await openTestStores(t)
  const deps = await keyDeps(t, stores)
  const ring = await openKeyRing(deps)
  const first = ring.signer().kid
  const staged = await ring.rotate()
  const revocation = await ring.revoke(first)
  t.equal(revocation?.previousState, 'active')
  t.equal(revocation?.key.state, 'revoked')
  t.equal(revocation?.activated?.kid, staged.kid, 'the staged key took over without waiting')
  t.equal(ring.signer().kid, staged.kid)
  t.same((JSON.parse(ring.jwks().body) as { keys: { kid: string }[] }).keys.map((k) => k.kid), [staged.kid])

  const again = await ring.revoke(staged.kid)
  t.equal(again?.previousState, 'active')
  const fresh = again?.activated?.kid as string
  t.not(fresh, undefined, 'with nothing staged, a fresh key')
  t.equal(ring.signer().kid, fresh)
  t.equal((await ring.revoke(first))?.previousState, 'revoked', 'revoking twice changes nothing')
  t.equal(await ring.revoke('no-such-kid'), undefined)
})

t.test('another instance revoking the active key: this one stops signing with it at its next reload', async (t) => {
  const [one, two] = await sharedStores(t, 2)
  const keysDir = await temporaryDir(t, 'keymint-keys-')
  const a = await openKeyRing(await keyDeps(t, one, keysDir))
  const b = await openKeyRing(await keyDeps(t, two, keysDir))
  const first = a.signer().kid
  await a.revoke(first)
  t.equal(b.signer().kid, first, 'until it reloads')
  // Throughout the reload there is a signer: the successor is loaded before the view changes.
  let done = false
  const reloading = b.reload().finally(() => (done = true))
  const seen = new Set<string>()
  let unavailable = 0
  for (let ticks = 0; !done; ticks++) {
    try {
      seen.add(b.signer().kid)
    } catch {
      unavailable++
    }
    await new Promise((resolve) => setImmediate(resolve))
  }
  await reloading
  t.equal(unavailable, 0, 'never a moment without a signing key')
  t.ok(seen.has(first), 'the previous key until the swap')
  t.equal(b.signer().kid, a.signer().kid)
  t.not(b.signer().kid, first)
})

t.test('an active key whose private key is missing: reload fails and nothing signs', async (t) => {
  const [one, two] = await sharedStores(t, 2)
  const keysDir = await temporaryDir(t, 'keymint-keys-')
  const a = await openKeyRing(await keyDeps(t, one, keysDir))
  const b = await openKeyRing(await keyDeps(t, two, keysDir))
  const successor = (await a.revoke(a.signer().kid))?.activated as KeyRecord
  await rm(privateKeyPath(keysDir, successor.kid))
  await t.rejects(b.reload(), /is active but .* is missing/)
  t.throws(() => b.signer(), TemporarilyUnavailable, 'the revoked key is not used instead')
})

t.test('key maintenance: a change committed anywhere is heard at once; scheduled rotation runs without a restart', async (t) => {
  // Real PostgreSQL: the change travels by LISTEN/NOTIFY. The timer is an hour, so only the notification
  // can make the second instance reload.
  const databaseUrl = await createTestDatabase(t)
  const one = await openTestStores(t, 'external', { databaseUrl })
  const two = await openTestStores(t, 'external', { databaseUrl })
  const keysDir = await temporaryDir(t, 'keymint-keys-')
  const clock = manualClock(Date.parse('2025-01-01T00:00:00Z'))
  const a = await openKeyRing({ ...(await keyDeps(t, one, keysDir)), clock })
  const b = await openKeyRing({ ...(await keyDeps(t, two, keysDir)), clock })
  const silent = { info() {}, warn() {} }
  const watched = startKeyMaintenance(b, {
    intervalSeconds: 3600,
    log: silent,
    changes: (onChange) => watchKeyChanges(databaseUrl, onChange, { retrySeconds: 1, onError: () => {} }),
  })
  t.teardown(() => watched.stop())
  const kids = () => b.keys().map((key) => key.kid)
  const until = (what: string, done: () => boolean) => pollFor(what, 5000, async () => (done() ? true : undefined))

  const first = a.signer().kid
  const staged = await a.rotate()
  await until('the staged key reaches the other instance', () => kids().includes(staged.kid))
  t.pass('a rotation through one instance reached the other without its timer')
  await a.revoke(first)
  await until('the revocation reaches the other instance', () => b.signer().kid === staged.kid)
  t.equal(b.signer().kid, staged.kid, 'a revoked active key stops signing everywhere at once')

  // Scheduled rotation (KEY_ROTATION_DAYS = 90), applied by the running maintenance of one instance.
  const ticking = startKeyMaintenance(a, { intervalSeconds: 1, log: silent })
  t.teardown(() => ticking.stop())
  clock.advance(90 * 86_400_000)
  await until('a successor is staged on schedule', () => a.keys().some((key) => key.state === 'staged'))
  const successor = a.keys().find((key) => key.state === 'staged') as KeyRecord
  await until('... and the other instance hears of it', () => kids().includes(successor.kid))
  clock.advance(PROMOTION_MS)
  await until('it is promoted once its wait is over', () => a.signer().kid === successor.kid)
  await until('on both instances', () => b.signer().kid === successor.kid)
  t.same(byState(await one.keys.list(), 'active').map((k) => k.kid), [successor.kid])
})

t.test('key maintenance: a signal during a reload runs one more reload afterwards, never two at once', async (t) => {
  const stores = await openTestStores(t)
  const deps = await keyDeps(t, stores)
  const ring = await openKeyRing(deps)
  let reloads = 0
  let concurrent = 0
  let maxConcurrent = 0
  const counted = {
    ...ring,
    async reload() {
      reloads++
      concurrent++
      maxConcurrent = Math.max(maxConcurrent, concurrent)
      try {
        return await ring.reload()
      } finally {
        concurrent--
      }
    },
  }
  const maintenance = startKeyMaintenance(counted, { intervalSeconds: 3600, log: { info() {}, warn() {} } })
  t.teardown(() => maintenance.stop())
  await Promise.all([maintenance.reloadNow(), maintenance.reloadNow(), maintenance.reloadNow()])
  t.equal(reloads, 2, 'three signals, one reload under way and one more after it')
  t.equal(maxConcurrent, 1)
})
