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
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    token_endpoint: `${issuer}/oauth/token`,
    grant_types_supported: [...opts.grants.keys()],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    scopes_supported: await opts.scopesInUse(),
    response_types_supported: [],
  })
  for (const path of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
    app.get(path, async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=300')
      return handler()
    })
  }
}
