import formbody from '@fastify/formbody'
import Fastify, { type FastifyInstance } from 'fastify'
import type { Writable } from 'node:stream'
import type { Deps } from './deps.ts'
import { loggerOptions } from './logger.ts'
import { installErrorHandler } from './plugins/error-handler.ts'
import { healthRoutes } from './routes/health.ts'
import { jwksRoute } from './routes/jwks.ts'
import { metadataRoute } from './routes/metadata.ts'
import { tokenRoute } from './routes/token.ts'

/** The issuer's HTTP app: plugins, then every route with its deps, in one list. Not listening yet. */
export async function buildApp(deps: Deps, options: { logStream?: Writable } = {}): Promise<FastifyInstance> {
  const { config, stores, keyRing, grants, hasher } = deps
  const app = Fastify({
    logger: loggerOptions(config.logLevel, options.logStream),
    trustProxy: false,
    bodyLimit: 64 * 1024,
    requestTimeout: 30_000,
    return503OnClosing: true,
  })
  installErrorHandler(app)
  await app.register(formbody)

  await app.register(tokenRoute, { grants, hasher, findClient: (id) => stores.clients.findById(id) })
  await app.register(jwksRoute, { keyRing, maxAgeSeconds: config.jwksMaxAgeSeconds })
  await app.register(metadataRoute, { issuer: config.issuer, grants, scopesInUse: () => stores.clients.scopesInUse() })
  await app.register(healthRoutes, { database: stores.database, ephemeral: stores.ephemeral })
  return app
}
