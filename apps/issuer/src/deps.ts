import type { Clock } from './clock.ts'
import type { Config } from './config.ts'
import { createSecretHasher, type SecretHasher } from './clients/secret.ts'
import { createGrants } from './grants/index.ts'
import type { Grant } from './grants/grant.ts'
import { readOrCreateSecretFile } from './keys/key-files.ts'
import { openKeyRing, type KeyRing } from './keys/key-ring.ts'
import type { Stores } from './storage/ports.ts'
import { randomToken } from './tokens/random.ts'

/** What the HTTP app and the admin operations are built from: assembled once, at start-up. */
export type Deps = {
  config: Config
  clock: Clock
  stores: Stores
  keyRing: KeyRing
  hasher: SecretHasher
  grants: Map<string, Grant>
}

export async function createDeps(config: Config, stores: Stores, clock: Clock): Promise<Deps> {
  const hasher = createSecretHasher(await readOrCreateSecretFile(config.keysDir, 'client-secret-hmac.key', () => randomToken(32)))
  const keyRing = await openKeyRing({
    keyStore: stores.keys,
    keysDir: config.keysDir,
    clock,
    modulusLength: config.rsaModulusLength,
  })
  const grants = createGrants({
    keyRing,
    clock,
    issuer: config.issuer,
    accessTokenTtlSeconds: config.accessTokenTtlSeconds,
  })
  return { config, clock, stores, keyRing, hasher, grants }
}
