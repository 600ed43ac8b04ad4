import t from 'tap'
import { manualClock } from '../../src/clock.ts'
import { createMemoryEphemeralStore } from '../../src/storage/memory/ephemeral-store.ts'
import { ephemeralStoreContract } from './ephemeral-store.contract.ts'

t.test('in-process ephemeral store', async (t) => {
  ephemeralStoreContract(t, async (t) => {
    const store = createMemoryEphemeralStore(manualClock())
    t.teardown(() => store.close())
    return store
  })

  t.test('entries expire with the clock', async (t) => {
    const clock = manualClock(1_000_000)
    const store = createMemoryEphemeralStore(clock)
    t.teardown(() => store.close())
    await store.put('a', 'x', 1_000)
    await store.increment('n', 1_000)
    clock.advance(999)
    t.equal(await store.get('a'), 'x')
    t.equal(await store.increment('n', 1_000), 2, 'increment keeps the first time to live')
    clock.advance(1)
    t.equal(await store.get('a'), undefined)
    t.equal(await store.take('a'), undefined)
    t.equal(await store.putIfAbsent('a', 'y', 1_000), true, 'an expired key counts as absent')
    t.equal(await store.increment('n', 1_000), 1, 'the counter starts again')
  })
})
