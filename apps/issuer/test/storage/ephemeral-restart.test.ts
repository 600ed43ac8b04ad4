import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { Writable } from 'node:stream'
import { createClient } from 'redis'
import t, { type Test } from 'tap'
import { manualClock } from '../../src/clock.ts'
import { createMemoryEphemeralStore } from '../../src/storage/memory/ephemeral-store.ts'
import { assemble } from '../../src/storage/open.ts'
import { connectPGlite, connectPostgres } from '../../src/storage/prisma/connect.ts'
import { connectRedis } from '../../src/storage/redis/connect.ts'
import { createRedisEphemeralStore } from '../../src/storage/redis/ephemeral-store.ts'
import { createTestDatabase } from '../helpers/databases.ts'
import { basic, freePort, postToken, startTestIssuer, temporaryDir, type TestIssuer } from '../helpers/issuer.ts'
import { postForm, refresh, startFamily } from '../helpers/refresh-tokens.ts'

// The ephemeral store loses everything in the middle of a run, and no token is lost or resurrected: refresh
// tokens live in PostgreSQL alone, and revoked access tokens are written to PostgreSQL before Redis, which is
// refilled from it (tokens/denylist.ts). On PostgreSQL + Redis, a private redis-server (no persistence) is
// shut down and started again under a running issuer; on the embedded default, the issuer process is
// replaced (its in-process store starts empty) over the same PGlite data directory.

/** Tokens in every state, made over HTTP before the restart. */
async function makeTokens(issuer: TestIssuer) {
  const { id, secret } = await issuer.createClient({ grantTypes: ['client_credentials', 'refresh_token'] })
  const auth = { authorization: basic(id, secret) }
  const accessToken = async () => (await postToken(issuer.url, { grant_type: 'client_credentials' }, auth)).body.access_token as string
  const { token: spent } = await startFamily(issuer, { clientId: id })
  const live = (await refresh(issuer, spent, auth)).body.refresh_token as string
  const { token: revokedRefresh } = await startFamily(issuer, { clientId: id })
  const revokedAccess = await accessToken()
  const liveAccess = await accessToken()
  for (const token of [revokedRefresh, revokedAccess]) {
    if ((await postForm(`${issuer.url}/oauth/revoke`, { token }, auth)).status !== 200) throw new Error('revocation failed')
  }
  return { id, secret, auth, spent, live, revokedRefresh, revokedAccess, liveAccess }
}

type Tokens = Awaited<ReturnType<typeof makeTokens>>

/** What must hold after the restart, asked over HTTP of the issuer now running. */
async function checkNothingLostOrResurrected(t: Test, issuer: TestIssuer, tokens: Tokens) {
  const { auth } = tokens
  const introspect = async (token: string) => (await postForm(`${issuer.url}/oauth/introspect`, { token }, auth)).body
  t.strictSame(await introspect(tokens.revokedAccess), { active: false }, 'the revoked access token stays revoked')
  t.match(await introspect(tokens.liveAccess), { active: true, token_type: 'Bearer' }, 'the live access token is still live')
  t.strictSame(await introspect(tokens.revokedRefresh), { active: false })
  t.same((await refresh(issuer, tokens.revokedRefresh, auth)).body, { error: 'invalid_grant', error_description: 'refresh token was revoked' })
  t.match(await introspect(tokens.live), { active: true, token_type: 'N_A' }, 'the live refresh token is still there')
  const next = await refresh(issuer, tokens.live, auth)
  t.equal(next.status, 200, 'and rotates')
  t.same(
    (await refresh(issuer, tokens.spent, auth)).body,
    { error: 'invalid_grant', error_description: 'refresh token was already used' },
    'the spent token stays spent',
  )
  t.same(
    (await refresh(issuer, next.body.refresh_token as string, auth)).body,
    { error: 'invalid_grant', error_description: 'refresh token was revoked' },
    'and its reuse still revokes the family',
  )
}

/** A redis-server of this test's own, without persistence, on a free port; restartable. */
async function privateRedis(t: Test) {
  const port = await freePort()
  const url = `redis://127.0.0.1:${port}`
  let child: ChildProcess | undefined
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })
    // Ready when it answers PING.
    for (;;) {
      const probe = createClient({ url, socket: { reconnectStrategy: false } })
      probe.on('error', () => {})
      const ok = await probe.connect().then(
        () => probe.ping().then(() => true),
        () => false,
      )
      if (probe.isOpen) probe.destroy()
      if (ok) return
      if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }
  const stop = async () => {
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return
    const exited = once(child, 'exit')
    const admin = createClient({ url })
    admin.on('error', () => {})
    await admin.connect()
    await admin.sendCommand(['SHUTDOWN', 'NOSAVE']).catch(() => undefined)
    if (admin.isOpen) admin.destroy()
    await exited
  }
  await start()
  t.teardown(stop)
  return { url, start, stop }
}

async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 15_000
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

t.test('Redis shut down (SHUTDOWN NOSAVE) and started again under a running issuer', async (t) => {
  const redisServer = await privateRedis(t)
  const connection = await connectPostgres(await createTestDatabase(t), { migrate: true })
  const stores = assemble('external', connection, createRedisEphemeralStore(await connectRedis(redisServer.url)))
  t.teardown(() => stores.close())
  const clock = manualClock()
  let log = ''
  const logStream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      log += chunk.toString()
      done()
    },
  })
  const issuer = await startTestIssuer(t, { stores, clock, logStream, env: { LOG_LEVEL: 'warn' } })
  const tokens = await makeTokens(issuer)
  const probe = await connectRedis(redisServer.url)
  t.teardown(() => (probe.isOpen ? probe.destroy() : undefined))
  t.ok((await probe.dbSize()) > 0, 'Redis holds the denylist before the restart')
  probe.destroy()

  await redisServer.stop()
  const down = await postForm(`${issuer.url}/oauth/introspect`, { token: tokens.revokedAccess }, tokens.auth)
  t.equal(down.status, 503, 'while Redis is down the denylist cannot be read: 503, not active')
  t.same(down.body, { error: 'temporarily_unavailable', error_description: 'storage is unavailable, try again shortly' })
  t.match(log, /"msg":"storage unavailable"/, 'logged as a storage outage')

  await redisServer.start()
  await until(async () => (await fetch(`${issuer.url}/readyz`)).status === 200, 'the issuer is connected to Redis again')
  const fresh = await connectRedis(redisServer.url)
  t.equal(await fresh.dbSize(), 0, 'the new Redis is empty')
  fresh.destroy()

  await checkNothingLostOrResurrected(t, issuer, tokens)
  const after = await connectRedis(redisServer.url)
  t.ok((await after.exists('keymint:denylist:loaded')) === 1, 'the denylist was copied back from PostgreSQL')
  after.destroy()
})

t.test('the embedded default: the issuer process replaced over the same data directory', async (t) => {
  const dataDir = await temporaryDir(t, 'keymint-data-')
  const keysDir = await temporaryDir(t, 'keymint-keys-')
  const clock = manualClock()
  const port = await freePort()
  const open = async (t: Test) => {
    const stores = assemble('embedded', await connectPGlite(dataDir), createMemoryEphemeralStore(clock))
    t.teardown(() => stores.close())
    return startTestIssuer(t, { stores, clock, keysDir, port })
  }

  let tokens: Tokens | undefined
  await t.test('first process', async (t) => {
    tokens = await makeTokens(await open(t))
  })
  await t.test('second process: an empty in-process store', async (t) => {
    await checkNothingLostOrResurrected(t, await open(t), tokens as Tokens)
  })
})
