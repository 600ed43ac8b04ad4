import type { FastifyInstance } from 'fastify'
import type { Grant } from '../grants/grant.ts'

export type MetadataRouteOptions = {
  issuer: string
  grants: Map<string, Grant>
  scopesInUse: () => Promise<string[]>
}

/** RFC 8414 authorization server metadata, also at the OpenID discovery address. Only what works is listed. */
export async function metadataRoute(app: FastifyInstance, opts: MetadataRouteOptions): Promise<void> {
  const { issuer } = opts
  const handler = async () => ({
    issuer,
    authorization_endpoint: `${issuer}/oauth/authorize`,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    token_endpoint: `${issuer}/oauth/token`,
    grant_types_supported: [...opts.grants.keys()],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    revocation_endpoint: `${issuer}/oauth/revoke`,
    revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    introspection_endpoint: `${issuer}/oauth/introspect`,
    // Introspection answers confidential clients only (routes/introspect.ts).
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    scopes_supported: await opts.scopesInUse(),
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    code_challenge_methods_supported: ['S256'],
    authorization_response_iss_parameter_supported: true,
  })
  for (const path of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
    app.get(path, async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=300')
      return handler()
    })
  }
}
