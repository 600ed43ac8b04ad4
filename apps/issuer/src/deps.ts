import type { Clock } from './clock.ts'
import type { Config } from './config.ts'
import { createClientCache, type ClientCache } from './clients/client-cache.ts'
import { createSecretHasher, type SecretHasher } from './clients/secret.ts'
import { createGrants } from './grants/index.ts'
import type { Grant } from './grants/grant.ts'
import { readOrCreateSecretFile } from './keys/key-files.ts'
import { openKeyRing, type KeyRing } from './keys/key-ring.ts'
import type { Stores } from './storage/ports.ts'
import { randomToken } from './tokens/random.ts'
import { createAccessTokenVerifier, type AccessTokenVerifier } from './tokens/verify-access-token.ts'

/** What the HTTP app and the admin operations are built from: assembled once, at start-up. */
export type Deps = {
  config: Config
  clock: Clock
  stores: Stores
  keyRing: KeyRing
  hasher: SecretHasher
  grants: Map<string, Grant>
  /** The strict access-token check (introspection, revocation): own published keys, RS256, at+jwt, denylist. */
  verifyAccessToken: AccessTokenVerifier
  /** Client records in front of stores.clients for the token endpoint; the admin operations invalidate it. */
  clientCache: ClientCache
  /** Signs the browser session cookie (plugins/session-cookie.ts); from KEYS_DIR/session-cookie.key. */
  cookieSecret: string
}

export async function createDeps(config: Config, stores: Stores, clock: Clock): Promise<Deps> {
  const hasher = createSecretHasher(await readOrCreateSecretFile(config.keysDir, 'client-secret-hmac.key', () => randomToken(32)))
  const keyRing = await openKeyRing({
    keyStore: stores.keys,
    keysDir: config.keysDir,
    clock,
    modulusLength: config.rsaModulusLength,
    policy: config,
  })
  const grants = createGrants({
    keyRing,
    clock,
    issuer: config.issuer,
    accessTokenTtlSeconds: config.accessTokenTtlSeconds,
    ephemeral: stores.ephemeral,
    audit: stores.audit,
    refreshTokens: stores.refreshTokens,
    revokedAccessTokens: stores.revokedAccessTokens,
    users: stores.users,
    refreshTokenPolicy: {
      idleSeconds: config.refreshTokenIdleSeconds,
      absoluteSeconds: config.refreshTokenAbsoluteSeconds,
      reuseGraceSeconds: config.refreshTokenReuseGraceSeconds,
    },
  })
  const verifyAccessToken = createAccessTokenVerifier({
    jwks: () => keyRing.jwks(),
    issuer: config.issuer,
    clock,
    ephemeral: stores.ephemeral,
    revokedAccessTokens: stores.revokedAccessTokens,
  })
  const clientCache = createClientCache({ lookup: (id) => stores.clients.findById(id), clock, ttlSeconds: config.clientCacheSeconds })
  const cookieSecret = await readOrCreateSecretFile(config.keysDir, 'session-cookie.key', () => randomToken(32))
  return { config, clock, stores, keyRing, hasher, grants, verifyAccessToken, clientCache, cookieSecret }
}
