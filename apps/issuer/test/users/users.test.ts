import t, { type Test } from 'tap'
import { authenticateUser } from '../../src/users/authenticate.ts'
import { dummyPasswordHash, hashPassword, verifyPassword } from '../../src/users/password.ts'
import { registerUser } from '../../src/users/register.ts'
import { InvalidUserInput } from '../../src/users/user.ts'
import { openTestStores, type StorageKind } from '../helpers/stores.ts'

// Users on real PostgreSQL and on the embedded PGlite: argon2id hashes, registration rules, the Prisma user
// and consent stores, and authentication that answers the same way (and does the same work) for every failure.

t.test('passwords are argon2id hashes at the OWASP cost', async (t) => {
  const hash = await hashPassword('correct horse battery staple')
  t.match(hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/)
  t.ok(await verifyPassword('correct horse battery staple', hash))
  t.notOk(await verifyPassword('Correct horse battery staple', hash))
  t.notOk(await verifyPassword('anything', 'not a hash'), 'a malformed hash is a failure, not an exception')
  t.match(await dummyPasswordHash(), /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/, 'the dummy hash costs the same')
  t.equal(await dummyPasswordHash(), await dummyPasswordHash(), 'made once')
})

for (const kind of ['external', 'embedded'] as const) t.test(`users on ${kind === 'external' ? 'PostgreSQL' : 'PGlite'}`, (t) => usersOn(t, kind))

async function usersOn(t: Test, kind: StorageKind): Promise<void> {
  const stores = await openTestStores(t, kind)
  const deps = { users: stores.users }

  t.test('registration normalizes the address and checks the input', async (t) => {
    const user = await registerUser({ email: '  Judy@Example.COM ', password: 'long enough' }, deps)
    t.equal(user.email, 'judy@example.com')
    t.equal(user.status, 'active')
    t.match(user.id, /^[A-Za-z0-9_-]{22}$/)
    t.not(user.passwordHash, 'long enough')
    const rejected: [{ email: string; password: string }, string][] = [
      [{ email: 'JUDY@example.com', password: 'long enough' }, 'a user with e-mail judy@example.com already exists'],
      [{ email: 'not-an-address', password: 'long enough' }, 'invalid e-mail address "not-an-address"'],
      [{ email: 'two words@example.com', password: 'long enough' }, 'invalid e-mail address "two words@example.com"'],
      [{ email: 'kim@example.com', password: 'short' }, 'password must have at least 8 characters'],
      [{ email: 'kim@example.com', password: 'x'.repeat(1025) }, 'password must have at most 1024 characters'],
    ]
    for (const [input, message] of rejected) {
      await t.rejects(registerUser(input, deps), new InvalidUserInput(message), message)
    }
    await t.rejects(
      stores.users.insert({ id: 'other', email: 'Judy@example.com', passwordHash: 'x' }),
      new InvalidUserInput('a user with e-mail judy@example.com already exists'),
      'the unique index backs the check up',
    )
  })

  t.test('lookups, listing and status', async (t) => {
    const user = await registerUser({ email: 'leo@example.com', password: 'long enough' }, deps)
    t.equal((await stores.users.findByEmail('LEO@example.com'))?.id, user.id, 'case-insensitive')
    t.equal((await stores.users.findById(user.id))?.email, 'leo@example.com')
    t.equal(await stores.users.findById('nobody'), undefined)
    t.equal(await stores.users.findByEmail('nobody@example.com'), undefined)
    t.same((await stores.users.list()).map((u) => u.email), ['judy@example.com', 'leo@example.com'])
    t.equal(await stores.users.setStatus(user.id, 'disabled'), true)
    t.equal((await stores.users.findById(user.id))?.status, 'disabled')
    t.equal(await stores.users.setStatus('nobody', 'disabled'), false)
  })

  t.test('authentication: one outcome per case, a hash verified on every path', async (t) => {
    const mia = await registerUser({ email: 'mia@example.com', password: 'mias password' }, deps)
    const ok = await authenticateUser({ email: 'MIA@example.com', password: 'mias password' }, deps)
    t.same(ok, { ok: true, user: mia })
    t.same(await authenticateUser({ email: 'mia@example.com', password: 'wrong' }, deps), { ok: false, reason: 'wrong_password', userId: mia.id })
    t.same(await authenticateUser({ email: 'nobody@example.com', password: 'mias password' }, deps), { ok: false, reason: 'unknown_user' })
    await stores.users.setStatus(mia.id, 'disabled')
    t.same(await authenticateUser({ email: 'mia@example.com', password: 'mias password' }, deps), { ok: false, reason: 'disabled', userId: mia.id })

    // The unknown address must not answer faster than a wrong password: both verify one argon2id hash.
    const time = async (email: string) => {
      const started = performance.now()
      for (let i = 0; i < 3; i++) await authenticateUser({ email, password: 'wrong' }, deps)
      return performance.now() - started
    }
    await time('nobody@example.com')
    const [unknown, known] = [await time('nobody@example.com'), await time('judy@example.com')]
    t.ok(unknown > known * 0.5, `unknown ${unknown.toFixed(0)} ms vs known ${known.toFixed(0)} ms`)
  })

  t.test('consents accumulate scopes per user and client', async (t) => {
    const user = await registerUser({ email: 'ned@example.com', password: 'long enough' }, deps)
    await stores.clients.insert({
      id: 'app',
      name: 'App',
      secretHash: null,
      authMethod: 'none',
      grantTypes: ['authorization_code'],
      scopes: ['a', 'b', 'c'],
      audiences: ['https://api.example.com'],
      redirectUris: ['https://app.example.com/cb'],
      firstParty: false,
      refreshTokenCookie: false,
      allowedOrigins: [],
    })
    t.equal(await stores.consents.find(user.id, 'app'), undefined)
    await stores.consents.grant(user.id, 'app', ['b'])
    t.same(await stores.consents.find(user.id, 'app'), ['b'])
    await Promise.all([stores.consents.grant(user.id, 'app', ['c', 'b']), stores.consents.grant(user.id, 'app', ['a'])])
    t.same(await stores.consents.find(user.id, 'app'), ['a', 'b', 'c'], 'concurrent grants both land')
    await stores.consents.grant(user.id, 'app', [])
    t.same(await stores.consents.find(user.id, 'app'), ['a', 'b', 'c'])
  })
}
