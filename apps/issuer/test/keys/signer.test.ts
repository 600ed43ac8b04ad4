import { generateKeyPairSync } from 'node:crypto'
import { decodeProtectedHeader, importSPKI, jwtVerify } from 'jose'
import t from 'tap'
import { createSigner } from '../../src/keys/signer.ts'

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
const pem = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string
const spki = rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string

t.test('signs an RS256 JWT with the given typ and kid that jose verifies', async (t) => {
  const signer = await createSigner('kid-1', pem)
  const claims = { iss: 'https://auth.example.com', sub: 'client-1', aud: 'https://api.example.com', iat: 1_800_000_000, exp: 1_800_000_900, scope: 'a b' }
  const token = await signer.sign(claims, 'at+jwt')
  t.same(decodeProtectedHeader(token), { alg: 'RS256', typ: 'at+jwt', kid: 'kid-1' })
  const { payload } = await jwtVerify(token, await importSPKI(spki, 'RS256'), {
    algorithms: ['RS256'],
    typ: 'at+jwt',
    currentDate: new Date(1_800_000_100_000),
  })
  t.same(payload, claims)
})

t.test('keeps a header per typ and signs concurrently', async (t) => {
  const signer = await createSigner('kid-2', pem)
  const tokens = await Promise.all(Array.from({ length: 8 }, (_, i) => signer.sign({ n: i }, i % 2 === 0 ? 'at+jwt' : 'JWT')))
  const key = await importSPKI(spki, 'RS256')
  for (const [i, token] of tokens.entries()) {
    t.equal(decodeProtectedHeader(token).typ, i % 2 === 0 ? 'at+jwt' : 'JWT')
    t.equal((await jwtVerify(token, key, { algorithms: ['RS256'] })).payload.n, i)
  }
})

t.test('refuses a key that is not RSA of at least 2048 bits', async (t) => {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string
  await t.rejects(createSigner('ec', ec), /not an RSA key/)
  const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string
  await t.rejects(createSigner('small', small), /at least 2048 bits/)
})
