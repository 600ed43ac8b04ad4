import { randomBytes } from 'node:crypto'

/** A random identifier or opaque token: 256 bits unless told otherwise, base64url. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url')
}
