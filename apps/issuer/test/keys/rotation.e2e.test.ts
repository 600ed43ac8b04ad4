import { readdir } from 'node:fs/promises'
import t from 'tap'
import { manualClock } from '../../src/clock.ts'
import { callResource, mint, published, startInstances, startResourceServer, UNKNOWN_KEY } from './rotation-fixtures.ts'

// Key rotation end to end: real issuer instances over HTTP on one PostgreSQL database and KEYS_DIR, the sample
// resource server verifying their tokens from the JWKS alone. Issuer time is a manual clock; an instance
// reloads its keys when the test calls keyRing.reload() (in production: every KEY_REFRESH_SECONDS).
// With the defaults: a staged key signs 300 + 10 s after it was staged; a retired key stays published for
// 10 + 900 + 300 s after it retired.

const PROMOTION_MS = (300 + 10) * 1000
const RETIRED_WINDOW_MS = (10 + 900 + 300) * 1000
// A resource server that fetches the JWKS for every token: what any cache has once its lifetime is over.
const NO_CACHE = { cooldownMs: 0, cacheMaxAgeMs: 0 }

t.test('a rotation: staged and published first, then signing, then the old key leaves after its window', async (t) => {
  const clock = manualClock()
  const [issuer] = await startInstances(t, 1, { clock })
  const client = await issuer.createClient()
  const resourceServer = await startResourceServer(t, issuer.url, NO_CACHE)

  const before = await mint(issuer.origin, client)
  t.equal((await callResource(resourceServer, before.token)).status, 200)
  t.same((await published(issuer.origin)).kids, [before.kid])

  const staged = await issuer.deps.keyRing.rotate()
  t.same((await published(issuer.origin)).kids, [before.kid, staged.kid], 'the staged key is in the JWKS at once')
  t.equal((await mint(issuer.origin, client)).kid, before.kid, '... and does not sign yet')

  clock.advance(PROMOTION_MS - 1000)
  await issuer.deps.keyRing.reload()
  t.equal((await mint(issuer.origin, client)).kid, before.kid, 'one second before its time, still not')
  clock.advance(1000)
  await issuer.deps.keyRing.reload()
  const after = await mint(issuer.origin, client)
  t.equal(after.kid, staged.kid, 'signing once its wait is over')

  t.equal((await callResource(resourceServer, before.token)).status, 200, 'a token of the old key is still accepted')
  t.same((await callResource(resourceServer, after.token)).body, { sub: client.id, client_id: client.id, scope: 'orders:read orders:write' })
  t.same((await published(issuer.origin)).kids, [before.kid, staged.kid], 'the retired key stays published')

  clock.advance(RETIRED_WINDOW_MS - 1000)
  await issuer.deps.keyRing.reload()
  t.same((await published(issuer.origin)).kids, [before.kid, staged.kid], 'until the last token it signed has expired')
  clock.advance(1000)
  await issuer.deps.keyRing.reload()
  t.same((await published(issuer.origin)).kids, [staged.kid], 'then it leaves the JWKS')
  t.same((await callResource(resourceServer, before.token)).body, UNKNOWN_KEY)
  t.equal((await callResource(resourceServer, after.token)).status, 200)
  const list = await issuer.stores.keys.list()
  t.same(
    list.map((k) => [k.kid, k.state]),
    [
      [before.kid, 'retired'],
      [staged.kid, 'active'],
    ],
  )
})

t.test('the JWKS max-age never exceeds the promotion delay', async (t) => {
  const clock = manualClock()
  const [defaults] = await startInstances(t, 1, { clock })
  t.equal(defaults.deps.config.keyPromotionDelaySeconds, 300, 'KEY_PROMOTION_DELAY_SECONDS defaults to JWKS_MAX_AGE_SECONDS')
  t.equal((await published(defaults.origin)).cacheControl, 'public, max-age=300')
  const [short] = await startInstances(t, 1, { clock, env: { JWKS_MAX_AGE_SECONDS: '300', KEY_PROMOTION_DELAY_SECONDS: '60' } })
  t.equal((await published(short.origin)).cacheControl, 'public, max-age=60')
})

t.test('revocation: out of the JWKS at once; a cached JWKS keeps verifying until it is refetched', async (t) => {
  const clock = manualClock()
  const [issuer] = await startInstances(t, 1, { clock })
  const client = await issuer.createClient()
  // Caches the JWKS for 10 minutes; refetches at once for an unknown kid.
  const cached = await startResourceServer(t, issuer.url, { cooldownMs: 0, cacheMaxAgeMs: 600_000 })

  const compromised = await mint(issuer.origin, client)
  t.equal((await callResource(cached, compromised.token)).status, 200)
  const revocation = await issuer.deps.keyRing.revoke(compromised.kid)
  const successor = revocation?.activated?.kid as string
  t.same((await published(issuer.origin)).kids, [successor], 'removed from the JWKS at once, a fresh key signs')

  t.equal((await callResource(cached, compromised.token)).status, 200, 'a resource server that cached the JWKS still accepts it')
  const fresh = await startResourceServer(t, issuer.url, NO_CACHE)
  t.same((await callResource(fresh, compromised.token)).body, UNKNOWN_KEY, 'one that fetches the JWKS rejects it')

  const next = await mint(issuer.origin, client)
  t.equal(next.kid, successor)
  t.equal((await callResource(cached, next.token)).status, 200, "the new kid makes the cached one refetch...")
  t.same((await callResource(cached, compromised.token)).body, UNKNOWN_KEY, '... and from then on it rejects the revoked key')
})

t.test('two instances on one database and KEYS_DIR agree on the JWKS, and tokens of both verify', async (t) => {
  const clock = manualClock()
  const [a, b] = await startInstances(t, 2, { clock })
  t.not(a.origin, b.origin)
  t.equal(b.url, a.url, 'one issuer identifier')
  const client = await a.createClient()
  const resourceServer = await startResourceServer(t, a.url, NO_CACHE)
  t.same(await published(b.origin), await published(a.origin), 'the same JWKS and ETag')
  const first = a.deps.keyRing.signer().kid
  t.equal(b.deps.keyRing.signer().kid, first, 'the second instance uses the key the first made')

  const staged = await b.deps.keyRing.rotate()
  t.same((await published(a.origin)).kids, [first], 'a rotation through one instance reaches the other...')
  await a.deps.keyRing.reload()
  t.same(await published(a.origin), await published(b.origin), '... at its next reload')
  t.same((await published(a.origin)).kids, [first, staged.kid])

  clock.advance(PROMOTION_MS)
  await Promise.all([a.deps.keyRing.reload(), b.deps.keyRing.reload()])
  const fromA = await mint(a.origin, client)
  const fromB = await mint(b.origin, client)
  t.same([fromA.kid, fromB.kid], [staged.kid, staged.kid])
  t.equal((await callResource(resourceServer, fromA.token)).status, 200)
  t.equal((await callResource(resourceServer, fromB.token)).status, 200, "a token of B verifies with A's JWKS")
  t.same((await a.stores.keys.list()).filter((k) => k.state === 'active').map((k) => k.kid), [staged.kid])
})

t.test('two instances starting at once on an empty database end with exactly one active key', async (t) => {
  for (let round = 1; round <= 3; round++) {
    const clock = manualClock()
    const instances = await startInstances(t, 2, { clock, together: true })
    const keys = await instances[0].stores.keys.list()
    t.same(keys.map((k) => k.state), ['active'], `round ${round}: one key, active`)
    t.same(instances.map((i) => i.deps.keyRing.signer().kid), [keys[0]?.kid, keys[0]?.kid], `round ${round}: both sign with it`)
    const pems = (await readdir(instances[0].keysDir)).filter((name) => name.endsWith('.private.pem'))
    t.same(pems, [`${keys[0]?.kid}.private.pem`], `round ${round}: one private key in KEYS_DIR`)
  }
})

t.test('the wait matters: a resource server whose cached JWKS predates the staging meets an unknown kid', async (t) => {
  const clock = manualClock()
  const [issuer] = await startInstances(t, 1, { clock })
  const client = await issuer.createClient()
  // JWKS_CACHE_SECONDS=600 and the default 30 s cooldown, as the sample resource server runs by default.
  const resourceServer = await startResourceServer(t, issuer.url, { cooldownMs: 30_000, cacheMaxAgeMs: 600_000 })
  t.equal((await callResource(resourceServer, (await mint(issuer.origin, client)).token)).status, 200)
  await issuer.deps.keyRing.rotate()
  // The issuer's clock says the wait is over, but this resource server's cache (real time) is a second old.
  clock.advance(PROMOTION_MS)
  await issuer.deps.keyRing.reload()
  t.same((await callResource(resourceServer, (await mint(issuer.origin, client)).token)).body, UNKNOWN_KEY)
})

t.test('zero downtime: continuous traffic through two instances while a key is staged, promoted and retired', async (t) => {
  const clock = manualClock()
  const [a, b] = await startInstances(t, 2, { clock })
  const client = await a.createClient()
  // The resource server's JWKS cache lifetime, in real time, stands for JWKS_MAX_AGE_SECONDS. The cooldown is
  // longer than the whole run, so an unknown kid never triggers a refetch: only the publication schedule can
  // keep this resource server from meeting a kid it does not have.
  const cacheMaxAgeMs = 1000
  const resourceServer = await startResourceServer(t, a.url, { cooldownMs: 600_000, cacheMaxAgeMs })
  const instances = [a, b]
  const reloadAll = () => Promise.all(instances.map((i) => i.deps.keyRing.reload()))

  const MAX_REQUESTS = 2000
  const deadline = performance.now() + 20_000
  let started = 0
  let done = 0
  const rejected: { status: number; body: unknown; kid: string; phase: string }[] = []
  const kidsByPhase = new Map<string, Set<string>>()
  let phase = 'before'
  let stagedAt = 0
  let changing = false
  const first = a.deps.keyRing.signer().kid
  let staged = ''

  // The schedule, driven by the traffic itself: staging after 200 requests; promotion once 300 more went through
  // and the resource server's cache lifetime has passed since the staging; the old key's window ends 300 later.
  async function advance(): Promise<void> {
    if (changing) return
    changing = true
    try {
      if (phase === 'before' && done >= 200) {
        staged = (await a.deps.keyRing.rotate()).kid
        await b.deps.keyRing.reload()
        stagedAt = performance.now()
        phase = 'staged'
      } else if (phase === 'staged' && done >= 500 && performance.now() - stagedAt > cacheMaxAgeMs + 50) {
        clock.advance(PROMOTION_MS)
        await reloadAll()
        phase = 'promoted'
      } else if (phase === 'promoted' && done >= 800) {
        clock.advance(RETIRED_WINDOW_MS)
        await reloadAll()
        phase = 'retired'
      }
    } finally {
      changing = false
    }
  }

  const failedMints: string[] = []
  let pending = Promise.resolve()
  async function worker(): Promise<void> {
    while (started < MAX_REQUESTS && performance.now() < deadline) {
      const n = started++
      const during = phase
      const steady = !changing
      try {
        const { token, kid } = await mint(instances[n % 2].origin, client)
        const res = await callResource(resourceServer, token)
        if (res.status !== 200) rejected.push({ status: res.status, body: res.body, kid, phase: during })
        // Attributed to a phase only when no change was under way at either end of this request, nor in between.
        if (steady && !changing && phase === during) kidsByPhase.set(during, (kidsByPhase.get(during) ?? new Set()).add(kid))
      } catch (error) {
        failedMints.push(String(error))
      }
      done++
      if (!changing) pending = advance()
    }
  }
  await Promise.all([worker(), worker(), worker(), worker()])
  await pending

  t.equal(phase, 'retired', `every phase reached (${done} requests)`)
  t.ok(done >= 900, `${done} requests`)
  t.same(failedMints, [], 'every token request succeeded')
  t.same(rejected, [], 'zero rejected valid tokens')
  t.equal(rejected.length, 0)
  t.same([...(kidsByPhase.get('before') ?? [])], [first])
  t.same([...(kidsByPhase.get('staged') ?? [])], [first], 'a staged key never signs')
  t.same([...(kidsByPhase.get('retired') ?? [])], [staged], 'after promotion only the new key signs')
  t.same((await published(a.origin)).kids, [staged])
  t.same(await published(b.origin), await published(a.origin))
})
