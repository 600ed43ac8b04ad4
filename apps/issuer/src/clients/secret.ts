import { createHmac, createSecretKey, randomBytes, timingSafeEqual } from 'node:crypto'

// Client secrets are 256-bit random strings that Keymint generates, so a fast keyed hash (HMAC-SHA-256
// with a server-side key) protects them as well as a slow password hash would, at a microsecond per check.

const PREFIX = 'hmac-sha256$'

export type SecretHasher = {
  hash(secret: string): string
  verify(secret: string, stored: string): boolean
}

export function generateSecret(): string {
  return randomBytes(32).toString('base64url')
}

export function createSecretHasher(key: string): SecretHasher {
  // Imported once: a string key would be converted again on every check.
  const hmacKey = createSecretKey(Buffer.from(key, 'utf8'))
  const mac = (secret: string) => createHmac('sha256', hmacKey).update(secret, 'utf8').digest()
  return {
    hash: (secret) => PREFIX + mac(secret).toString('base64url'),
    verify(secret, stored) {
      if (!stored.startsWith(PREFIX)) return false
      return constantTimeEqual(mac(secret), Buffer.from(stored.slice(PREFIX.length), 'base64url'))
    },
  }
}

/** The only way secrets are compared: in time that does not depend on where they differ. */
export function constantTimeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b)
}
