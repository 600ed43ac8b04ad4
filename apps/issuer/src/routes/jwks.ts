import type { FastifyInstance } from 'fastify'
import type { KeyRing } from '../keys/key-ring.ts'

export type JwksRouteOptions = { keyRing: KeyRing; maxAgeSeconds: number }

/** GET /.well-known/jwks.json: the published public keys, cacheable, with an ETag for revalidation. */
export async function jwksRoute(app: FastifyInstance, opts: JwksRouteOptions): Promise<void> {
  const cacheControl = `public, max-age=${opts.maxAgeSeconds}`
  // Fetched by every resource server, often: not access-logged (a failure still logs through the error handler).
  app.get('/.well-known/jwks.json', { logLevel: 'warn' }, (request, reply) => {
    const { body, etag } = opts.keyRing.jwks()
    reply.header('cache-control', cacheControl).header('etag', etag)
    if (matchesEtag(request.headers['if-none-match'], etag)) return reply.code(304).send()
    return reply.type('application/jwk-set+json; charset=utf-8').send(body)
  })
}

/** RFC 9110 §13.1.2: weak comparison against a list of entity tags, or `*`. */
function matchesEtag(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false
  if (header.trim() === '*') return true
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)
}
