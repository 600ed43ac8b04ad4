import type { Test } from 'tap'
import type { EphemeralStore } from '../../src/storage/ports.ts'

/** What every EphemeralStore must do; run against the in-process store and Redis alike. */
export function ephemeralStoreContract(t: Test, open: (t: Test) => Promise<EphemeralStore>): void {
  t.test('put, get and delete', async (t) => {
    const store = await open(t)
    t.equal(await store.get('a'), undefined)
    await store.put('a', 'one', 60_000)
    t.equal(await store.get('a'), 'one')
    await store.put('a', 'two', 60_000)
    t.equal(await store.get('a'), 'two', 'put overwrites')
    await store.delete('a')
    t.equal(await store.get('a'), undefined)
    await store.delete('never-there')
  })

  t.test('putIfAbsent stores only the first', async (t) => {
    const store = await open(t)
    t.equal(await store.putIfAbsent('b', 'first', 60_000), true)
    t.equal(await store.putIfAbsent('b', 'second', 60_000), false)
    t.equal(await store.get('b'), 'first')
    const racers = await Promise.all(Array.from({ length: 20 }, (_, i) => store.putIfAbsent('race', String(i), 60_000)))
    t.equal(racers.filter(Boolean).length, 1, 'exactly one of 20 concurrent putIfAbsent wins')
  })

  t.test('take hands a value to exactly one taker', async (t) => {
    const store = await open(t)
    await store.put('code', 'secret', 60_000)
    const takers = await Promise.all(Array.from({ length: 20 }, () => store.take('code')))
    t.same(takers.filter((v) => v !== undefined), ['secret'])
    t.equal(await store.get('code'), undefined)
    t.equal(await store.take('code'), undefined)
  })

  t.test('increment counts from one, atomically', async (t) => {
    const store = await open(t)
    t.equal(await store.increment('n', 60_000), 1)
    t.equal(await store.increment('n', 60_000), 2)
    const counts = await Promise.all(Array.from({ length: 20 }, () => store.increment('m', 60_000)))
    t.same([...counts].sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i + 1))
  })

  t.test('ping answers', async (t) => {
    const store = await open(t)
    await t.resolves(store.ping())
  })
}
