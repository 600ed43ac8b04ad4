import t from 'tap'
import { manualClock } from '../../src/clock.ts'
import { schedulePurge } from '../../src/refresh-tokens/purge.ts'
import { openTestStores } from '../helpers/stores.ts'
import { STORAGE_KINDS, storageName } from '../helpers/refresh-tokens.ts'

// The purge as main.ts schedules it, on a real timer over real storage: expired and long-revoked refresh
// tokens and expired access-token revocations go, in bounded batches; live rows stay. Polled, not slept.

const DAY = 86_400_000

for (const kind of STORAGE_KINDS) t.test(`scheduled purge on ${storageName(kind)}`, async (t) => {
  const stores = await openTestStores(t, kind)
  const clock = manualClock(Date.UTC(2030, 0, 1))
  const now = clock.now()
  const row = (hash: string, expiresIn: number) =>
    stores.refreshTokens.insert({
      ...{ hash, familyId: `f-${hash}`, parentHash: null, clientId: 'c', userId: null, scopes: [], audiences: [], authTime: null },
      issuedAt: new Date(now - DAY),
      expiresAt: new Date(now + expiresIn),
      familyExpiresAt: new Date(now + 10 * DAY),
    })
  for (let i = 0; i < 7; i++) await row(`dead-${i}`, -1)
  await row('live', DAY)
  await row('revoked-long-ago', DAY)
  await stores.refreshTokens.revokeFamily('f-revoked-long-ago', new Date(now - 2 * DAY))
  for (let i = 0; i < 5; i++) await stores.revokedAccessTokens.insert(`expired-${i}`, new Date(now - 1))
  await stores.revokedAccessTokens.insert('live-jti', new Date(now + 60_000))

  const runs: { refreshTokens: number; revokedAccessTokens: number }[] = []
  const purge = schedulePurge(
    { refreshTokens: stores.refreshTokens, revokedAccessTokens: stores.revokedAccessTokens, clock },
    { everyMs: 20, batchSize: 3, maxBatches: 2, onRun: (deleted) => runs.push(deleted), onError: (error) => t.fail(String(error)) },
  )
  t.teardown(() => purge.stop())
  const deadline = Date.now() + 20_000
  while (runs.reduce((n, r) => n + r.refreshTokens, 0) < 8 || runs.reduce((n, r) => n + r.revokedAccessTokens, 0) < 5) {
    if (Date.now() > deadline) throw new Error(`purge did not finish: ${JSON.stringify(runs)}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  purge.stop()
  t.strictSame(runs[0], { refreshTokens: 6, revokedAccessTokens: 5 }, 'a run deletes at most batchSize × maxBatches of each')
  t.equal(runs[1]?.refreshTokens, 2, 'the next run takes the rest')
  for (let i = 0; i < 7; i++) t.equal(await stores.refreshTokens.findByHash(`dead-${i}`), undefined)
  t.equal(await stores.refreshTokens.findByHash('revoked-long-ago'), undefined)
  t.ok(await stores.refreshTokens.findByHash('live'), 'a live token stays')
  t.equal(await stores.revokedAccessTokens.isRevoked('live-jti', new Date(now)), true, 'a revocation of an unexpired token stays')
  t.strictSame(await stores.revokedAccessTokens.listLive({ now: new Date(now - DAY), afterJti: undefined, limit: 10 }), [
    { jti: 'live-jti', expiresAt: new Date(now + 60_000) },
  ])
})
