import { createHash } from 'node:crypto'
import type { KeyRecord } from './key-record.ts'

export type PublishedJwks = { body: string; etag: string }

/** The JWKS document (RFC 7517 §5) of the given keys: public members only, serialized once. */
export function toJwks(keys: KeyRecord[]): PublishedJwks {
  const published = keys.map((key) => ({
    kty: 'RSA',
    n: key.publicJwk.n,
    e: key.publicJwk.e,
    kid: key.kid,
    use: 'sig',
    alg: key.alg,
  }))
  const body = JSON.stringify({ keys: published })
  return { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` }
}
