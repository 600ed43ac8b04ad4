import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { freePort, temporaryDir } from '../helpers/issuer.ts'
import { runKeymint, startIssuerProcess } from '../helpers/processes.ts'
import { AUDIENCE, mint, published } from './rotation-fixtures.ts'

// The keys commands against the embedded default: the issuer process owns its PGlite database, so every
// command goes through its admin socket, and the running issuer's JWKS changes the moment the command returns.

const dataDir = await temporaryDir(t, 'keymint-data-')
// Not there yet: the issuer creates it.
const keysDir = join(await temporaryDir(t, 'keymint-keys-'), 'keys')
const port = await freePort()
const env = { DATA_DIR: dataDir, KEYS_DIR: keysDir, PORT: String(port), LOG_LEVEL: 'info' }
const issuer = await startIssuerProcess(t, env)
let logs = ''
issuer.child.stdout?.on('data', (chunk: Buffer) => (logs += chunk.toString()))
const origin = `http://127.0.0.1:${port}`
const keymint = (...args: string[]) => runKeymint(args, env)

const created = await keymint('clients', 'create', '--name', 'cli', '--scopes', 'orders:read', '--audience', AUDIENCE, '--json')
const { client_id: id, client_secret: secret } = JSON.parse(created.stdout) as { client_id: string; client_secret: string }
const client = { id, secret }

t.test('keys rotate, list and revoke through the running issuer', async (t) => {
  const first = (await mint(origin, client)).kid

  const rotated = await keymint('keys', 'rotate')
  t.equal(rotated.code, 0, rotated.stderr)
  const stagedKid = /^staged key (\S+)$/m.exec(rotated.stdout)?.[1] as string
  t.ok(stagedKid, rotated.stdout)
  t.match(rotated.stdout, /published in the JWKS now; signs from \d{4}-\d\d-\d\dT/)
  t.same((await published(origin)).kids, [first, stagedKid], 'the running issuer publishes it at once')
  t.equal((await mint(origin, client)).kid, first, 'and does not sign with it yet')

  const listed = JSON.parse((await keymint('keys', 'list', '--json')).stdout) as Record<string, string | null>[]
  t.same(listed.map((k) => [k.kid, k.state]), [[first, 'active'], [stagedKid, 'staged']])
  const staged = listed[1] as Record<string, string | null>
  t.equal(Date.parse(staged.activates_at as string) - Date.parse(staged.created_at as string), (300 + 10) * 1000, 'signs after JWKS max-age + refresh')
  t.ok(listed[0]?.activated_at, 'the active key shows when it started signing')

  // Emergency: the active key is revoked; the staged key (already published) takes over at once.
  const revoked = await keymint('keys', 'revoke', first)
  t.equal(revoked.code, 0, revoked.stderr)
  t.match(revoked.stdout, `revoked key ${first} (was active): removed from the JWKS`)
  t.match(revoked.stdout, `key ${stagedKid} is now the signing key`)
  t.same((await published(origin)).kids, [stagedKid])
  t.equal((await mint(origin, client)).kid, stagedKid, 'the next token is signed by the successor')

  // With nothing staged, revoking the active key makes a fresh one.
  const again = JSON.parse((await keymint('keys', 'revoke', stagedKid, '--json')).stdout) as { activated: { kid: string } }
  const fresh = again.activated.kid
  t.not(fresh, stagedKid)
  t.same((await published(origin)).kids, [fresh])
  t.equal((await mint(origin, client)).kid, fresh)

  const noSuchKey = await keymint('keys', 'revoke', 'no-such-kid')
  t.equal(noSuchKey.code, 1)
  t.match(noSuchKey.stderr, 'keymint: no key no-such-kid')
  const noKid = await keymint('keys', 'revoke')
  t.equal(noKid.code, 2)
  t.match(noKid.stdout, 'usage: keymint keys revoke KID')
  const twice = await keymint('keys', 'revoke', first)
  t.match(twice.stdout, `key ${first} was already revoked`)
})

t.test('private keys: owner-only files, never in the JWKS, the logs or the command output', async (t) => {
  const pems = (await readdir(keysDir)).filter((name) => name.endsWith('.private.pem'))
  t.equal(pems.length, 3, 'one per key made')
  for (const name of pems) t.equal((await stat(join(keysDir, name))).mode & 0o777, 0o600, `${name} is 0600`)
  t.equal((await stat(keysDir)).mode & 0o077, 0, 'KEYS_DIR is created owner-only')

  const res = await fetch(`${origin}/.well-known/jwks.json`)
  const { keys } = (await res.json()) as { keys: Record<string, unknown>[] }
  for (const key of keys) t.same(Object.keys(key).sort(), ['alg', 'e', 'kid', 'kty', 'n', 'use'], 'public members only')
  const listed = await keymint('keys', 'list', '--json')
  t.notMatch(listed.stdout, /PRIVATE KEY|"d":/)
  t.notMatch(logs, /PRIVATE KEY|"d":/, 'nothing private logged')
  t.match(logs, /signing keys|keymint issuer ready|request completed/, 'the log was read')
})
