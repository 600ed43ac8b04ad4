import cookie from '@fastify/cookie'
import formbody from '@fastify/formbody'
import Fastify, { LogController, type FastifyInstance } from 'fastify'
import type { Writable } from 'node:stream'
import { createAuthorizationFlow } from './authorization-requests/flow.ts'
import type { Deps } from './deps.ts'
import { jwksCacheSeconds } from './keys/rotation.ts'
import { loggerOptions } from './logger.ts'
import { installErrorHandler } from './plugins/error-handler.ts'
import { createRefreshCookie } from './plugins/refresh-cookie.ts'
import { createSessionCookie } from './plugins/session-cookie.ts'
import { authorizeRoute } from './routes/authorize.ts'
import { consentRoute } from './routes/consent.ts'
import { healthRoutes } from './routes/health.ts'
import { introspectRoute } from './routes/introspect.ts'
import { jwksRoute } from './routes/jwks.ts'
import { logoutRoute } from './routes/logout.ts'
import { metadataRoute } from './routes/metadata.ts'
import { revokeRoute } from './routes/revoke.ts'
import { signInRoute } from './routes/sign-in.ts'
import { signOutRoute } from './routes/sign-out.ts'
import { tokenRoute } from './routes/token.ts'
import { createSessionStore } from './sessions/session.ts'
import { createSignInThrottle } from './users/sign-in-throttle.ts'

/** The issuer's HTTP app: plugins, then every route with its deps, in one list. Not listening yet. */
export async function buildApp(deps: Deps, options: { logStream?: Writable } = {}): Promise<FastifyInstance> {
  const { config, stores, keyRing, grants, hasher, clientCache } = deps
  const app = Fastify({
    logger: loggerOptions(config.logLevel, options.logStream),
    trustProxy: false,
    bodyLimit: 64 * 1024,
    requestTimeout: 30_000,
    return503OnClosing: true,
    // One log line per request instead of Fastify's two (incoming + completed): it is half the logging cost.
    logController: new LogController({ disableRequestLogging: true }),
  })
  app.addHook('onResponse', async (request, reply) => {
    request.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed')
  })
  installErrorHandler(app)
  await app.register(formbody)
  await app.register(cookie, { secret: deps.cookieSecret })

  // Cookies are Secure whenever the issuer is served over https.
  const secure = new URL(config.issuer).protocol === 'https:'
  const refreshCookie = createRefreshCookie({ secure, maxAgeSeconds: config.refreshTokenIdleSeconds })
  const { verifyAccessToken } = deps
  const family = { refreshTokens: stores.refreshTokens, audit: stores.audit, clock: deps.clock }
  await app.register(tokenRoute, { grants, hasher, findClient: clientCache.find, refreshCookie })
  await app.register(revokeRoute, { hasher, findClient: clientCache.find, revoke: { ...family, ephemeral: stores.ephemeral, revokedAccessTokens: stores.revokedAccessTokens, verifyAccessToken } })
  await app.register(introspectRoute, { hasher, findClient: clientCache.find, introspect: { ...family, verifyAccessToken, issuer: config.issuer } })
  await app.register(logoutRoute, { findClient: clientCache.find, refreshCookie, family })
  await app.register(jwksRoute, { keyRing, maxAgeSeconds: jwksCacheSeconds(config) })
  await app.register(metadataRoute, { issuer: config.issuer, grants, scopesInUse: () => stores.clients.scopesInUse() })
  await app.register(healthRoutes, { database: stores.database, ephemeral: stores.ephemeral })

  // The browser side of the authorization_code grant: authorize, sign-in, consent, sign-out (server-rendered).
  const { clock, stores: { users, consents, ephemeral, audit } } = deps
  const browser = {
    issuer: config.issuer,
    findClient: clientCache.find,
    sessions: createSessionStore({ ephemeral, clock, ttlSeconds: config.sessionTtlSeconds }),
    cookie: createSessionCookie({ secure }),
    flow: createAuthorizationFlow({ issuer: config.issuer, clock, findClient: clientCache.find, users, consents, ephemeral }),
  }
  const throttle = createSignInThrottle({ ephemeral, audit })
  await app.register(authorizeRoute, browser)
  await app.register(signInRoute, { ...browser, clock, signIn: { users, audit, throttle } })
  await app.register(consentRoute, { ...browser, consents })
  await app.register(signOutRoute, browser)
  return app
}
