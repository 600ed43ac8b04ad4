import t from 'tap'
import { AUDIENCE, callResource, mint, published, UNKNOWN_KEY, type Client } from './rotation-fixtures.ts'
import { pollFor, startDeployment, startResourceServerProcess } from './process-fixtures.ts'

// Rotation as it happens in production, with real processes only: two issuer instances (separate processes,
// separate ports) on one PostgreSQL database, one Redis and one KEYS_DIR, a round-robin load balancer in
// front of them as the issuer URL, the sample resource server as its own process with its default settings
// (JWKS cache up to 600 s, following the issuer's max-age; unknown-kid refetch cooldown 30 s), and the keymint
// command. Real time, with small windows: a staged key signs 2 + 1 s after it was staged.

const env = {
  JWKS_MAX_AGE_SECONDS: '2',
  KEY_PROMOTION_DELAY_SECONDS: '2',
  KEY_REFRESH_SECONDS: '1',
  ACCESS_TOKEN_TTL_SECONDS: '120',
}

const deployment = await startDeployment(t, 2, env)
const [a, b] = deployment.instances as [(typeof deployment.instances)[0], (typeof deployment.instances)[0]]
const origins = [a.origin, b.origin]
const resourceServer = await startResourceServerProcess(t, { ISSUER: deployment.issuer, AUDIENCE })

const created = await deployment.keymint(
  ['clients', 'create', '--name', 'load', '--grant-types', 'client_credentials', '--scopes', 'orders:read orders:write', '--audience', AUDIENCE, '--json'],
  0,
)
const { client_id: clientId, client_secret: clientSecret } = JSON.parse(created.stdout) as { client_id: string; client_secret: string }
const client: Client = { id: clientId, secret: clientSecret }
const firstKid = (await mint(a.origin, client)).kid
// Minted before any rotation; presented again throughout.
const early = await mint(b.origin, client)

const jwksOf = async (origin: string) => {
  const res = await fetch(`${origin}/.well-known/jwks.json`)
  return { body: await res.text(), etag: res.headers.get('etag') }
}
const kidsOf = async (origin: string) => (await published(origin)).kids

t.test('two instances agree on the JWKS and sign with the same key; tokens of both verify at the sample service', async (t) => {
  t.same(await jwksOf(b.origin), await jwksOf(a.origin), 'the same JWKS document and ETag')
  t.same(await kidsOf(a.origin), [firstKid])
  const fromA = await mint(a.origin, client)
  const fromB = await mint(b.origin, client)
  t.same([fromA.kid, fromB.kid], [firstKid, firstKid])
  t.equal((await callResource(resourceServer, fromA.token)).status, 200)
  t.equal((await callResource(resourceServer, fromB.token)).status, 200)
  t.equal((await callResource(resourceServer, early.token)).status, 200)
})

let stagedKid = ''

t.test('a rotation under continuous traffic produces zero rejected valid tokens', async (t) => {
  type Result = { instance: number; kid: string; receivedAt: number }
  const results: Result[] = []
  const rejected: { status: number; body: unknown; kid: string; what: string }[] = []
  const mintFailures: string[] = []
  let stop = false
  let earlyPresented = 0
  let activatesAt = 0

  async function worker(): Promise<void> {
    while (!stop) {
      const instance = results.length % 2
      try {
        const fresh = await mint(origins[instance] as string, client)
        const receivedAt = Date.now()
        const res = await callResource(resourceServer, fresh.token)
        if (res.status !== 200) rejected.push({ status: res.status, body: res.body, kid: fresh.kid, what: 'fresh token' })
        results.push({ instance, kid: fresh.kid, receivedAt })
      } catch (error) {
        mintFailures.push(String(error))
        results.push({ instance, kid: '', receivedAt: Date.now() })
      }
      if (results.length % 10 === 0) {
        const res = await callResource(resourceServer, early.token)
        earlyPresented++
        if (res.status !== 200) rejected.push({ status: res.status, body: res.body, kid: early.kid, what: 'pre-rotation token' })
      }
    }
  }

  const started = performance.now()
  const workers = Array.from({ length: 6 }, () => worker())
  try {
    await pollFor('traffic before the rotation', 20_000, async () => (results.length >= 150 ? true : undefined))

    // Through the CLI straight on storage (no instance's admin socket): only the database carries the change.
    const rotated = await deployment.keymint(['keys', 'rotate', '--json'], 'storage')
    t.equal(rotated.code, 0, rotated.stderr)
    const staged = JSON.parse(rotated.stdout) as { kid: string; state: string; created_at: string; activates_at: string }
    stagedKid = staged.kid
    t.equal(staged.state, 'staged')
    activatesAt = Date.parse(staged.activates_at)
    t.equal(activatesAt - Date.parse(staged.created_at), 3000, 'it signs KEY_PROMOTION_DELAY_SECONDS + KEY_REFRESH_SECONDS after staging')

    const reached = await pollFor('both instances publish the staged key', 5_000, async () => {
      const both = await Promise.all(origins.map(kidsOf))
      return both.every((kids) => kids.includes(stagedKid)) ? both : undefined
    })
    t.ok(Date.now() < activatesAt, `both instances published it ${reached.ms} ms after the command returned, before it signs`)
    t.comment(`rotation reached both instances in ${reached.ms} ms`)

    await pollFor('both instances sign with the new key', 15_000, async () =>
      [0, 1].every((i) => results.some((r) => r.instance === i && r.kid === stagedKid)) ? true : undefined,
    )
    const switched = results.length
    await pollFor('traffic after the promotion', 20_000, async () => (results.length >= switched + 150 ? true : undefined))
  } finally {
    stop = true
    await Promise.all(workers)
  }
  const seconds = (performance.now() - started) / 1000

  t.same(mintFailures, [], 'every token request succeeded')
  t.same(rejected, [], 'zero rejected valid tokens')
  t.comment(`${results.length} tokens minted and verified in ${seconds.toFixed(1)} s (${Math.round(results.length / seconds)}/s), ${earlyPresented} pre-rotation presentations`)
  t.ok(earlyPresented >= 30, 'the pre-rotation token was presented throughout')
  t.same([...new Set(results.map((r) => r.kid))].sort(), [firstKid, stagedKid].sort(), 'only the old and the new key signed')
  const firstNew = Math.min(...results.filter((r) => r.kid === stagedKid).map((r) => r.receivedAt))
  t.ok(firstNew >= activatesAt, `the new key signed from ${new Date(firstNew).toISOString()}, not before its time ${new Date(activatesAt).toISOString()}`)
  for (const instance of [0, 1]) {
    const mine = results.filter((r) => r.instance === instance)
    const lastOld = mine.findLastIndex((r) => r.kid === firstKid)
    const firstOfNew = mine.findIndex((r) => r.kid === stagedKid)
    t.ok(lastOld < firstOfNew, `instance ${instance}: never back to the old key once it switched`)
  }
  t.same(await jwksOf(b.origin), await jwksOf(a.origin), 'the instances agree on the JWKS afterwards')
  t.same((await kidsOf(a.origin)).sort(), [firstKid, stagedKid].sort(), 'the retired key stays published')
})

t.test('keymint keys list shows each key with its state and dates', async (t) => {
  const listed = await deployment.keymint(['keys', 'list', '--json'], 1)
  t.equal(listed.code, 0, listed.stderr)
  const keys = JSON.parse(listed.stdout) as Record<string, string | null>[]
  const retired = keys.find((k) => k.kid === firstKid)
  const active = keys.find((k) => k.kid === stagedKid)
  t.equal(retired?.state, 'retired')
  t.equal(active?.state, 'active')
  t.ok(retired?.activated_at && retired.retired_at, 'the retired key has its activation and retirement dates')
  t.equal(Date.parse(retired?.published_until as string) - Date.parse(retired?.retired_at as string), (1 + 120 + 2) * 1000, 'published until refresh + token lifetime + JWKS max-age after it retired')
  t.equal(active?.retired_at, null)
  const table = await deployment.keymint(['keys', 'list'], 'storage')
  t.match(table.stdout, /^KID\s+STATE\s+ALG\s+CREATED\s+ACTIVATED\s+RETIRED\s+ACTIVATES_AT\s+PUBLISHED_UNTIL$/m)
  t.match(table.stdout, new RegExp(`^${firstKid}\\s+retired\\s+RS256\\s`, 'm'))
  t.match(table.stdout, new RegExp(`^${stagedKid}\\s+active\\s+RS256\\s`, 'm'))
})

t.test('revoking a retired key: gone from every instance at once, its tokens rejected once the service refetches', async (t) => {
  t.equal((await callResource(resourceServer, early.token)).status, 200)
  const revoked = await deployment.keymint(['keys', 'revoke', firstKid], 1)
  t.equal(revoked.code, 0, revoked.stderr)
  t.match(revoked.stdout, `revoked key ${firstKid} (was retired)`)
  t.match(revoked.stderr, /warning: tokens signed with .* are now rejected/)
  const gone = await pollFor('the revoked key leaves both JWKS', 5_000, async () => {
    const both = await Promise.all(origins.map(kidsOf))
    return both.every((kids) => !kids.includes(firstKid)) ? both : undefined
  })
  t.comment(`revocation reached both instances in ${gone.ms} ms`)
  const rejected = await pollFor('the service rejects the revoked key', 10_000, async () => {
    const res = await callResource(resourceServer, early.token)
    return res.status === 401 ? res.body : undefined
  })
  t.same(rejected.value, UNKNOWN_KEY)
  t.comment(`the sample service rejected it ${rejected.ms} ms after the revocation reached the instances`)
  t.equal((await callResource(resourceServer, (await mint(b.origin, client)).token)).status, 200, 'tokens of the active key still verify')
})

t.test('revoking the active key: a new key signs at once on every instance, no token request fails', async (t) => {
  const compromised = await mint(a.origin, client)
  const revoked = await deployment.keymint(['keys', 'revoke', stagedKid, '--json'], 0)
  t.equal(revoked.code, 0, revoked.stderr)
  const doc = JSON.parse(revoked.stdout) as { previous_state: string; activated: { kid: string; state: string } }
  t.equal(doc.previous_state, 'active')
  t.equal(doc.activated.state, 'active')
  const successor = doc.activated.kid
  t.equal((await mint(a.origin, client)).kid, successor, 'the instance that revoked signs with the successor at once')
  const both = await pollFor('both instances sign with the successor', 5_000, async () => {
    const kids = await Promise.all(origins.map(async (origin) => (await mint(origin, client)).kid))
    return kids.every((kid) => kid === successor) ? kids : undefined
  })
  t.comment(`the other instance switched ${both.ms} ms later`)
  t.same(await kidsOf(a.origin), [successor])
  t.same(await jwksOf(b.origin), await jwksOf(a.origin))
  const accepted = await pollFor('the service accepts the successor', 10_000, async () => {
    const res = await callResource(resourceServer, (await mint(b.origin, client)).token)
    return res.status === 200 ? true : undefined
  })
  t.comment(`the sample service accepted the successor's tokens after ${accepted.ms} ms`)
  const rejected = await pollFor('the service rejects the compromised key', 10_000, async () => {
    const res = await callResource(resourceServer, compromised.token)
    return res.status === 401 ? res.body : undefined
  })
  t.same(rejected.value, UNKNOWN_KEY)
})
