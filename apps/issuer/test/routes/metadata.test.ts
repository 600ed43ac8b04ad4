import { createRemoteJWKSet, jwtVerify } from 'jose'
import * as oauth from 'oauth4webapi'
import * as openid from 'openid-client'
import t from 'tap'
import { startTestIssuer } from '../helpers/issuer.ts'

// The metadata, as the strict clients by the author of jose read it: openid-client and oauth4webapi
// discover the issuer, get a token, and oauth4webapi validates it as an RFC 9068 resource server would.

t.test('metadata and strict clients', async (t) => {
  const issuer = await startTestIssuer(t)
  const { id, secret } = await issuer.createClient({ scopes: ['orders:read', 'reports'] })
  const issuerUrl = new URL(issuer.url)

  t.test('RFC 8414 document at both well-known addresses', async (t) => {
    const expected = {
      issuer: issuer.url,
      authorization_endpoint: `${issuer.url}/oauth/authorize`,
      jwks_uri: `${issuer.url}/.well-known/jwks.json`,
      token_endpoint: `${issuer.url}/oauth/token`,
      grant_types_supported: ['client_credentials', 'authorization_code', 'refresh_token'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
      revocation_endpoint: `${issuer.url}/oauth/revoke`,
      revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
      introspection_endpoint: `${issuer.url}/oauth/introspect`,
      introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      scopes_supported: ['orders:read', 'reports'],
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
    }
    for (const path of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
      const res = await fetch(`${issuer.url}${path}`)
      t.equal(res.status, 200)
      t.match(res.headers.get('content-type'), /^application\/json/)
      t.same(await res.json(), expected, path)
    }
  })

  t.test('openid-client discovers the issuer and gets a client_credentials token', async (t) => {
    const config = await openid.discovery(issuerUrl, id, undefined, openid.ClientSecretBasic(secret), {
      execute: [openid.allowInsecureRequests],
      algorithm: 'oauth2',
    })
    t.equal(config.serverMetadata().issuer, issuer.url)
    const tokens = await openid.clientCredentialsGrant(config, { scope: 'reports', resource: 'https://api.example.com' })
    t.equal(tokens.token_type, 'bearer')
    t.equal(tokens.scope, 'reports')
    t.ok(tokens.expiresIn()! > 890)
    const { payload } = await jwtVerify(tokens.access_token, createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!)), {
      issuer: issuer.url,
      audience: 'https://api.example.com',
      algorithms: ['RS256'],
      typ: 'at+jwt',
    })
    t.equal(payload.client_id, id)
  })

  t.test('oauth4webapi: discovery, client_secret_post, and RFC 9068 validation', async (t) => {
    const post = await issuer.createClient({ authMethod: 'client_secret_post' })
    const as = await oauth.processDiscoveryResponse(
      issuerUrl,
      await oauth.discoveryRequest(issuerUrl, { algorithm: 'oauth2', [oauth.allowInsecureRequests]: true }),
    )
    const client: oauth.Client = { client_id: post.id }
    const response = await oauth.clientCredentialsGrantRequest(
      as,
      client,
      oauth.ClientSecretPost(post.secret),
      new URLSearchParams({ scope: 'orders:read' }),
      { [oauth.allowInsecureRequests]: true },
    )
    const result = await oauth.processClientCredentialsResponse(as, client, response)
    t.equal(result.token_type, 'bearer')
    const request = new Request('https://api.example.com/orders', { headers: { authorization: `Bearer ${result.access_token}` } })
    const claims = await oauth.validateJwtAccessToken(as, request, 'https://api.example.com', {
      [oauth.allowInsecureRequests]: true,
    })
    t.equal(claims.client_id, post.id)
    t.equal(claims.sub, post.id)
    t.equal(claims.scope, 'orders:read')

    const wrong = await oauth.clientCredentialsGrantRequest(as, client, oauth.ClientSecretPost('nope'), new URLSearchParams(), {
      [oauth.allowInsecureRequests]: true,
    })
    const failure = await oauth.processClientCredentialsResponse(as, client, wrong).catch((error: unknown) => error)
    t.type(failure, oauth.ResponseBodyError)
    t.match(failure, { error: 'invalid_client', status: 401 })

    const basicClient: oauth.Client = { client_id: id }
    const wrongBasic = await oauth.clientCredentialsGrantRequest(as, basicClient, oauth.ClientSecretBasic('nope'), new URLSearchParams(), {
      [oauth.allowInsecureRequests]: true,
    })
    const challenge = await oauth.processClientCredentialsResponse(as, basicClient, wrongBasic).catch((error: unknown) => error)
    t.type(challenge, oauth.WWWAuthenticateChallengeError, 'a failed Basic attempt carries a Basic challenge')
    t.same((challenge as oauth.WWWAuthenticateChallengeError).cause[0]?.scheme, 'basic')
  })
})
