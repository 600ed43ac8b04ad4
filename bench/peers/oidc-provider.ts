import { createServer } from 'node:http'
import { exportJWK, generateKeyPair } from 'jose'
import Provider from 'oidc-provider'

// The peer: oidc-provider configured like Keymint's client_credentials path: JWT access tokens (RFC 9068)
// signed RS256 with a 2048-bit key, audience from resource indicators, one client_secret_basic client.
// Started as a child process by the harness: PORT, CLIENT_ID, CLIENT_SECRET, AUDIENCE and SCOPE from the env.

const port = Number(process.env.PORT)
const issuer = `http://127.0.0.1:${port}`
const audience = process.env.AUDIENCE ?? 'https://api.example.com'
const scope = process.env.SCOPE ?? 'orders:read orders:write'

const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true })
const jwk = { ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig', kid: 'oidc-provider-bench' }

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: process.env.CLIENT_ID,
      client_secret: process.env.CLIENT_SECRET,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_basic',
      scope,
    },
  ],
  jwks: { keys: [jwk] },
  scopes: scope.split(' '),
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => audience,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope,
        audience,
        accessTokenTTL: 900,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'RS256' } },
      }),
    },
  },
})
provider.on('server_error', (_ctx, error) => {
  process.stderr.write(`oidc-provider server_error: ${String(error)}\n`)
})

const server = createServer(provider.callback()).listen(port, '127.0.0.1')
process.once('SIGTERM', () => server.close(() => process.exit(0)))
