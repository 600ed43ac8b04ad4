import { join } from 'node:path'
import { createRemoteJWKSet, jwtVerify } from 'jose'
import t from 'tap'
import { basic, freePort, postToken, temporaryDir } from './helpers/issuer.ts'
import { runIssuerToExit, runKeymint, startIssuerProcess } from './helpers/processes.ts'

// The embedded default as an operator meets it: `npm start` with no PostgreSQL or Redis (PGlite in DATA_DIR,
// the in-process store), the `keymint` command creating a client through the admin socket, a token at the
// token endpoint, verified with the public key from the JWKS; then a restart that keeps everything.

t.test('embedded default: start, create a client, get a token, verify it, restart', async (t) => {
  const root = await temporaryDir(t, 'keymint-embedded-')
  const env = { DATA_DIR: join(root, 'data'), KEYS_DIR: join(root, 'keys'), LOG_LEVEL: 'info' }
  const port = await freePort()
  const issuerUrl = `http://127.0.0.1:${port}`
  const first = await startIssuerProcess(t, { ...env, PORT: String(port) })
  t.equal(first.ready.storage, 'embedded')
  t.equal(first.ready.issuer, issuerUrl)

  const created = await runKeymint(
    ['clients', 'create', '--name', 'billing', '--scopes', 'invoices:read invoices:write', '--audience', 'https://billing.example.com', '--json'],
    env,
  )
  t.equal(created.code, 0, created.stderr)
  const client = JSON.parse(created.stdout) as Record<string, unknown>
  t.same(Object.keys(client).sort(), [
    'audiences',
    'client_id',
    'client_id_issued_at',
    'client_name',
    'client_secret',
    'grant_types',
    'redirect_uris',
    'scope',
    'token_endpoint_auth_method',
  ])
  t.same(client.grant_types, ['client_credentials'])
  t.equal(client.token_endpoint_auth_method, 'client_secret_basic')
  t.match(client.client_secret, /^[A-Za-z0-9_-]{43}$/, '256-bit secret')

  const auth = { authorization: basic(client.client_id as string, client.client_secret as string) }
  const token = await postToken(issuerUrl, { grant_type: 'client_credentials', scope: 'invoices:read' }, auth)
  t.equal(token.status, 200)
  const jwks = createRemoteJWKSet(new URL(`${issuerUrl}/.well-known/jwks.json`))
  const { payload } = await jwtVerify(token.body.access_token as string, jwks, {
    issuer: issuerUrl,
    audience: 'https://billing.example.com',
    typ: 'at+jwt',
    algorithms: ['RS256'],
  })
  t.equal(payload.client_id, client.client_id)

  const listed = await runKeymint(['clients', 'list', '--json'], env)
  t.same((JSON.parse(listed.stdout) as { client_id: string }[]).map((c) => c.client_id), [client.client_id])
  t.notOk(listed.stdout.includes(client.client_secret as string), 'the secret is shown only once')
  const keys = await runKeymint(['keys', 'list', '--json'], env)
  const [key] = JSON.parse(keys.stdout) as { kid: string; state: string }[]
  t.equal(key?.state, 'active')
  t.equal(key?.kid, first.ready.kid)
  const table = await runKeymint(['clients', 'list'], env)
  t.match(table.stdout, /^CLIENT_ID\s+NAME\s+GRANT_TYPES\s+SCOPE\s+AUTH_METHOD\n/)
  t.match(table.stdout, new RegExp(`${client.client_id}\\s+billing\\s+client_credentials\\s+invoices:read invoices:write`))

  t.equal(await first.stop(), 0, 'SIGTERM closes cleanly')

  // With the issuer stopped, the command opens the embedded database itself.
  const offline = await runKeymint(['clients', 'list', '--json'], env)
  t.equal(offline.code, 0, offline.stderr)
  t.same((JSON.parse(offline.stdout) as { client_id: string }[]).map((c) => c.client_id), [client.client_id])

  const second = await startIssuerProcess(t, { ...env, PORT: String(port) })
  t.equal(second.ready.kid, first.ready.kid, 'same signing key after a restart')
  const again = await postToken(issuerUrl, { grant_type: 'client_credentials' }, auth)
  t.equal(again.status, 200, 'the client survived the restart')
  t.equal(again.body.scope, 'invoices:read invoices:write')
  t.equal(await second.stop(), 0)
})

t.test('the keymint command reports mistakes clearly', async (t) => {
  const root = await temporaryDir(t, 'keymint-cli-')
  const env = { DATA_DIR: join(root, 'data'), KEYS_DIR: join(root, 'keys') }
  const port = await freePort()
  const issuer = await startIssuerProcess(t, { ...env, PORT: String(port) })

  const help = await runKeymint(['--help'], env)
  t.equal(help.code, 0)
  t.match(help.stdout, /^usage: keymint <noun> <verb>/)
  const unknown = await runKeymint(['clients', 'frobnicate'], env)
  t.equal(unknown.code, 2)
  t.match(unknown.stderr, /unknown command "clients frobnicate"/)
  const noName = await runKeymint(['clients', 'create', '--audience', 'https://a.example.com'], env)
  t.equal(noName.code, 2)
  t.match(noName.stderr, /--name is required/)
  const badAudience = await runKeymint(['clients', 'create', '--name', 'x', '--audience', 'mailto'], env)
  t.equal(badAudience.code, 2)
  t.match(badAudience.stderr, /audience "mailto" must be an absolute URI without a fragment/)
  const badScope = await runKeymint(['clients', 'create', '--name', 'x', '--audience', 'https://a.example.com', '--scopes', 'ok "bad"'], env)
  t.equal(badScope.code, 2)
  t.match(badScope.stderr, /invalid scope "\\"bad\\""/)
  const unknownOption = await runKeymint(['clients', 'list', '--colour'], env)
  t.equal(unknownOption.code, 2)
  const missing = await runKeymint(['clients', 'delete', 'no-such-client'], env)
  t.equal(missing.code, 1)
  t.match(missing.stderr, /no client no-such-client/)
  t.equal(await issuer.stop(), 0)
})

t.test('bad configuration stops the issuer with every problem listed', async (t) => {
  const result = await runIssuerToExit({ PORT: 'eighty', ACCESS_TOKEN_TTL_SECONDS: '1', ISSUER: 'http://auth.example.com' })
  t.equal(result.code, 1)
  t.match(result.stderr, /keymint: invalid configuration:\n {2}- PORT="eighty": must be integer\n {2}- ACCESS_TOKEN_TTL_SECONDS="1": must be >= 30/)
  t.notMatch(result.stderr, /at .*\.ts:\d+/, 'no stack trace')
})
