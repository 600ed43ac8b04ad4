import { Writable } from 'node:stream'
import t from 'tap'
import { createMemoryEphemeralStore } from '../../src/storage/memory/ephemeral-store.ts'
import { createRedisEphemeralStore } from '../../src/storage/redis/ephemeral-store.ts'
import { manualClock } from '../../src/clock.ts'
import pg from 'pg'
import { assemble } from '../../src/storage/open.ts'
import { connectPostgres } from '../../src/storage/prisma/connect.ts'
import { createTestDatabase, createTestRedis, PG_ADMIN_URL } from '../helpers/databases.ts'
import { basic, postToken, startTestIssuer } from '../helpers/issuer.ts'
import { openTestStores } from '../helpers/stores.ts'

t.test('healthz and readyz', async (t) => {
  const issuer = await startTestIssuer(t)
  const health = await fetch(`${issuer.url}/healthz`)
  t.equal(health.status, 200)
  t.same(await health.json(), { status: 'ok' })
  const ready = await fetch(`${issuer.url}/readyz`)
  t.equal(ready.status, 200)
  t.same(await ready.json(), { status: 'ok', checks: { database: 'ok', store: 'ok' } })
})

t.test('readyz says which store is down, and the issuer keeps answering', async (t) => {
  const stores = await openTestStores(t)
  const { redis, prefix } = await createTestRedis(t)
  const brokenStore = createRedisEphemeralStore(redis, prefix)
  const issuer = await startTestIssuer(t, { stores: { ...stores, ephemeral: brokenStore } })
  await brokenStore.close()
  const ready = await fetch(`${issuer.url}/readyz`)
  t.equal(ready.status, 503)
  t.same(await ready.json(), { status: 'unavailable', checks: { database: 'ok', store: 'unavailable' } })
  t.equal((await fetch(`${issuer.url}/healthz`)).status, 200)
})

t.test('a database outage is 503 at readyz and temporarily_unavailable at the token endpoint', async (t) => {
  const url = await createTestDatabase(t)
  const stores = assemble('external', await connectPostgres(url, { migrate: true }), createMemoryEphemeralStore(manualClock()))
  t.teardown(() => stores.close())
  const lines: string[] = []
  const issuer = await startTestIssuer(t, { stores, env: { LOG_LEVEL: 'warn' }, logStream: collect(lines) })
  const { id, secret } = await issuer.createClient()
  await cutOff(new URL(url).pathname.slice(1))

  const ready = await fetch(`${issuer.url}/readyz`)
  t.equal(ready.status, 503)
  t.same(await ready.json(), { status: 'unavailable', checks: { database: 'unavailable', store: 'ok' } })
  const token = await postToken(issuer.url, { grant_type: 'client_credentials' }, { authorization: basic(id, secret) })
  t.equal(token.status, 503)
  t.equal(token.headers.get('retry-after'), '5')
  t.same(token.body, { error: 'temporarily_unavailable', error_description: 'storage is unavailable, try again shortly' })
  t.match(lines.join(''), /storage unavailable/, 'the outage is logged')
})

/** Ends every connection to the database and refuses new ones: a real outage for that database only. */
async function cutOff(database: string): Promise<void> {
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL })
  await admin.connect()
  await admin.query(`ALTER DATABASE ${admin.escapeIdentifier(database)} ALLOW_CONNECTIONS false`)
  await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [database])
  await admin.end()
}

function collect(lines: string[]): Writable {
  return new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk))
      done()
    },
  })
}

t.test('logs carry no secrets, tokens or query strings', async (t) => {
  const lines: string[] = []
  const issuer = await startTestIssuer(t, { env: { LOG_LEVEL: 'trace' }, logStream: collect(lines) })
  const { id, secret } = await issuer.createClient()
  const post = await issuer.createClient({ authMethod: 'client_secret_post' })
  const basicRes = await postToken(issuer.url, { grant_type: 'client_credentials' }, { authorization: basic(id, secret) })
  const postRes = await postToken(issuer.url, { grant_type: 'client_credentials', client_id: post.id, client_secret: post.secret })
  await fetch(`${issuer.url}/.well-known/oauth-authorization-server?code=query-secret`)
  const log = lines.join('')
  t.equal(lines.filter((line) => line.includes('"msg":"request completed"')).length, 3, 'one line per request')
  t.match(log, /"url":"\/oauth\/token"/)
  for (const [what, value] of [
    ['basic secret', secret],
    ['post secret', post.secret],
    ['basic header', basic(id, secret).slice(6)],
    ['access token', basicRes.body.access_token as string],
    ['access token', postRes.body.access_token as string],
    ['query string', 'query-secret'],
  ] as const) {
    t.notOk(log.includes(value), `no ${what} in the log`)
  }
})
