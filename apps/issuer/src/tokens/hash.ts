import { createHash } from 'node:crypto'

/** What is stored in place of an opaque token: its SHA-256, base64url. A 256-bit random token needs no salt or stretching. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('base64url')
}
