import { join } from 'node:path'
import { createRemoteJWKSet, jwtVerify } from 'jose'
import * as oauth from 'oauth4webapi'
import t from 'tap'
import { authorizeUrl, hiddenFields, httpBrowser, pkce } from '../helpers/authorization.ts'
import { freePort, temporaryDir } from '../helpers/issuer.ts'
import { runKeymint, startIssuerProcess } from '../helpers/processes.ts'

// The operator's side of sign-in, on the embedded default (PGlite, in-process store) as separate processes:
// `keymint users create --password-stdin`, `users list`, `users disable`, `clients create --redirect-uris
// --public --first-party`; then a user signs in through the pages and the client exchanges the code.

const REDIRECT = 'http://127.0.0.1:8765/callback'
const API = 'https://api.example.com'
const PASSWORD = 'a long and private passphrase'

t.test('users and a public first-party client from the command line, then a sign-in', async (t) => {
  const root = await temporaryDir(t, 'keymint-users-')
  const env = { DATA_DIR: join(root, 'data'), KEYS_DIR: join(root, 'keys') }
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const issuer = await startIssuerProcess(t, { ...env, PORT: String(port) })
  t.equal(issuer.ready.storage, 'embedded')
  let oliviaId = ''

  t.test('users create reads the password from standard input only', async (t) => {
    const created = await runKeymint(['users', 'create', '--email', 'Olivia@Example.com', '--password-stdin', '--json'], env, `${PASSWORD}\n`)
    t.equal(created.code, 0, created.stderr)
    const user = JSON.parse(created.stdout) as Record<string, unknown>
    oliviaId = user.user_id as string
    t.same(Object.keys(user).sort(), ['created_at', 'email', 'status', 'user_id'], 'no password hash in the output')
    t.match(user, { email: 'olivia@example.com', status: 'active', user_id: /^[A-Za-z0-9_-]{22}$/ })

    const onArgv = await runKeymint(['users', 'create', '--email', 'p@example.com', '--password', PASSWORD], env)
    t.equal(onArgv.code, 2, 'a --password option does not exist')
    const noStdinFlag = await runKeymint(['users', 'create', '--email', 'p@example.com'], env, `${PASSWORD}\n`)
    t.equal(noStdinFlag.code, 2)
    t.match(noStdinFlag.stderr, /--password-stdin is required/)
    const taken = await runKeymint(['users', 'create', '--email', 'OLIVIA@example.com', '--password-stdin'], env, `${PASSWORD}\n`)
    t.equal(taken.code, 2)
    t.match(taken.stderr, /a user with e-mail olivia@example.com already exists/)
    const second = await runKeymint(['users', 'create', '--email', 'pat@example.com', '--password-stdin'], env, `${PASSWORD}\r\nignored\n`)
    t.equal(second.code, 0, second.stderr)
    t.match(second.stdout, /^user_id: \S+\nemail:   pat@example\.com\nstatus:  active\n$/)

    const table = await runKeymint(['users', 'list'], env)
    t.match(table.stdout, /^USER_ID\s+EMAIL\s+STATUS\s+CREATED\n\S+\s+olivia@example\.com\s+active\s+\S+\n\S+\s+pat@example\.com\s+active/)
    t.notMatch(table.stdout, /argon2/)
  })

  t.test('clients create --redirect-uris --public --first-party', async (t) => {
    const bad = await runKeymint(['clients', 'create', '--name', 'x', '--audience', API, '--redirect-uris', 'http://app.example.com/cb', '--public'], env)
    t.equal(bad.code, 2)
    t.match(bad.stderr, /redirect URI "http:\/\/app\.example\.com\/cb" must use https/)
  })

  t.test('a user signs in at the pages and the public client exchanges the code (oauth4webapi)', async (t) => {
    const created = await runKeymint(
      ['clients', 'create', '--name', 'Console', '--scopes', 'orders:read', '--audience', API, '--redirect-uris', REDIRECT, '--public', '--first-party', '--json'],
      env,
    )
    t.equal(created.code, 0, created.stderr)
    const doc = JSON.parse(created.stdout) as Record<string, unknown>
    t.match(doc, { token_endpoint_auth_method: 'none', grant_types: ['authorization_code'], redirect_uris: [REDIRECT] })
    t.equal(doc.client_secret, undefined, 'a public client has no secret')
    const clientId = doc.client_id as string

    const as = await oauth.processDiscoveryResponse(new URL(url), await oauth.discoveryRequest(new URL(url), { algorithm: 'oauth2', [oauth.allowInsecureRequests]: true }))
    t.same(as.code_challenge_methods_supported, ['S256'])
    t.same(as.response_types_supported, ['code'])
    t.equal(as.authorization_endpoint, `${url}/oauth/authorize`)
    const client: oauth.Client = { client_id: clientId }
    const target = { url }
    const browser = httpBrowser(target)
    const { verifier, challenge } = pkce()
    const state = oauth.generateRandomState()
    const request = { response_type: 'code', client_id: clientId, redirect_uri: REDIRECT, scope: 'orders:read', state, code_challenge: challenge, code_challenge_method: 'S256' }
    const start = await browser.get(authorizeUrl(target, request))
    t.match(start.location, /^\/sign-in\?interaction=/)
    const page = await browser.get(start.location as string)
    const signedIn = await browser.post('/sign-in', { ...hiddenFields(page.body), email: 'olivia@example.com', password: PASSWORD })
    t.equal(signedIn.status, 303)
    t.match(signedIn.location, `${REDIRECT}?code=`, 'first party: no consent page')

    const params = oauth.validateAuthResponse(as, client, new URL(signedIn.location as string), state)
    const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, REDIRECT, verifier, { [oauth.allowInsecureRequests]: true })
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, response)
    const jwks = createRemoteJWKSet(new URL(`${url}/.well-known/jwks.json`))
    const { payload } = await jwtVerify(tokens.access_token, jwks, { issuer: url, audience: API, algorithms: ['RS256'], typ: 'at+jwt' })
    t.equal(payload.sub, oliviaId, 'sub is the user id')
    t.equal(payload.client_id, clientId)

    t.test('users disable: the session stops working and the password no longer signs in', async (t) => {
      const disabled = await runKeymint(['users', 'disable', 'OLIVIA@example.com'], env)
      t.equal(disabled.code, 0, disabled.stderr)
      t.match(disabled.stdout, /^disabled user olivia@example\.com \(\S+\)\n$/)
      const again = await browser.get(authorizeUrl(target, { ...request, state: 'again' }))
      t.match(again.location, /^\/sign-in\?interaction=/, 'signed out by the disable')
      const form = await browser.get(again.location as string)
      const refused = await browser.post('/sign-in', { ...hiddenFields(form.body), email: 'olivia@example.com', password: PASSWORD })
      t.equal(refused.status, 400)
      t.match(refused.body, 'Incorrect email or password.')
      const listed = JSON.parse((await runKeymint(['users', 'list', '--json'], env)).stdout) as { email: string; status: string }[]
      t.same(listed.map((u) => [u.email, u.status]), [['olivia@example.com', 'disabled'], ['pat@example.com', 'active']])
    })
  })

})
