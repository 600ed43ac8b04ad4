import { createPrivateKey, sign as rsaSign, type KeyObject } from 'node:crypto'
import type { JWTPayload } from 'jose'

export type Signer = {
  kid: string
  /** Signs the claims as a JWT with header { alg: RS256, typ, kid }. */
  sign(claims: JWTPayload, typ: string): Promise<string>
}

/**
 * The one place a private key is imported: once, when the key becomes the signing key. Each header is
 * encoded once per typ; a token costs one JSON.stringify of its claims and one RSA signature, which
 * node:crypto's callback form computes on libuv's threadpool, so signatures run on every core.
 */
export async function createSigner(kid: string, privatePem: string): Promise<Signer> {
  const key = createPrivateKey(privatePem)
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0
  if (key.asymmetricKeyType !== 'rsa' || bits < 2048) throw new TypeError(`key ${kid} is not an RSA key of at least 2048 bits`)
  const headers = new Map<string, string>()
  const header = (typ: string) => {
    let encoded = headers.get(typ)
    if (encoded === undefined) {
      encoded = base64url(JSON.stringify({ alg: 'RS256', typ, kid }))
      headers.set(typ, encoded)
    }
    return encoded
  }
  return {
    kid,
    sign: (claims, typ) => signRs256(`${header(typ)}.${base64url(JSON.stringify(claims))}`, key),
  }
}

function signRs256(signingInput: string, key: KeyObject): Promise<string> {
  return new Promise((resolve, reject) => {
    rsaSign('sha256', Buffer.from(signingInput), key, (error, signature) => {
      if (error) reject(error)
      else resolve(`${signingInput}.${signature.toString('base64url')}`)
    })
  })
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url')
}
