import { calculateJwkThumbprint, type JWK } from 'jose'
import t from 'tap'
import { startTestIssuer } from '../helpers/issuer.ts'

t.test('GET /.well-known/jwks.json', async (t) => {
  const issuer = await startTestIssuer(t, { env: { JWKS_MAX_AGE_SECONDS: '120' } })
  const url = `${issuer.url}/.well-known/jwks.json`

  t.test('publishes the public key only, with kid = RFC 7638 thumbprint', async (t) => {
    const res = await fetch(url)
    t.equal(res.status, 200)
    t.equal(res.headers.get('content-type'), 'application/jwk-set+json; charset=utf-8')
    t.equal(res.headers.get('cache-control'), 'public, max-age=120')
    const { keys } = (await res.json()) as { keys: JWK[] }
    t.equal(keys.length, 1)
    const [key] = keys as [JWK]
    t.same(Object.keys(key).sort(), ['alg', 'e', 'kid', 'kty', 'n', 'use'])
    for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']) t.notOk(member in key, `no private member ${member}`)
    t.equal(key.kty, 'RSA')
    t.equal(key.use, 'sig')
    t.equal(key.alg, 'RS256')
    t.equal(key.e, 'AQAB')
    t.equal(Buffer.from(key.n as string, 'base64url').length, 256, '2048-bit modulus')
    t.equal(key.kid, await calculateJwkThumbprint({ kty: 'RSA', n: key.n, e: key.e }, 'sha256'))
    t.equal(key.kid, issuer.deps.keyRing.signer().kid)
  })

  t.test('ETag revalidation answers 304 with no body', async (t) => {
    const first = await fetch(url)
    const etag = first.headers.get('etag') as string
    t.match(etag, /^"[A-Za-z0-9_-]+"$/)
    const again = await fetch(url, { headers: { 'if-none-match': etag } })
    t.equal(again.status, 304)
    t.equal(again.headers.get('etag'), etag)
    t.equal(again.headers.get('cache-control'), 'public, max-age=120')
    t.equal(await again.text(), '')
    t.equal((await fetch(url, { headers: { 'if-none-match': `"other", W/${etag}` } })).status, 304, 'weak comparison in a list')
    const stale = await fetch(url, { headers: { 'if-none-match': '"stale"' } })
    t.equal(stale.status, 200)
    t.equal((await stale.json()).keys.length, 1)
  })

  t.test('the private key file is owner-only', async (t) => {
    const { stat } = await import('node:fs/promises')
    const { privateKeyPath } = await import('../../src/keys/key-files.ts')
    const mode = (await stat(privateKeyPath(issuer.keysDir, issuer.deps.keyRing.signer().kid))).mode & 0o777
    t.equal(mode, 0o600)
  })

  t.test('a restart on the same storage and keys keeps the same key', async (t) => {
    const second = await startTestIssuer(t, { stores: issuer.stores, keysDir: issuer.keysDir })
    t.equal(second.deps.keyRing.signer().kid, issuer.deps.keyRing.signer().kid)
    t.equal((await issuer.stores.keys.list()).length, 1)
  })
})
