import { CompactSign, importPKCS8, type JWTPayload } from 'jose'

export type Signer = {
  kid: string
  /** Signs the claims as a JWT with header { alg: RS256, typ, kid }. */
  sign(claims: JWTPayload, typ: string): Promise<string>
}

const encoder = new TextEncoder()

/**
 * The one place a private key is imported: once, when the key becomes the signing key. A token is jose's
 * CompactSign over the claims we built (no per-token claim re-validation or header building); the RSA
 * operation runs through WebCrypto off the main thread, so concurrent signatures use every core.
 */
export async function createSigner(kid: string, privatePem: string): Promise<Signer> {
  let key: CryptoKey
  try {
    key = await importPKCS8(privatePem, 'RS256')
  } catch (error) {
    throw new TypeError(`key ${kid} is not an RSA key of at least 2048 bits`, { cause: error })
  }
  const { modulusLength } = key.algorithm as RsaHashedKeyAlgorithm
  if (!(modulusLength >= 2048)) throw new TypeError(`key ${kid} is not an RSA key of at least 2048 bits`)
  const headers = new Map<string, { alg: 'RS256'; typ: string; kid: string }>()
  const header = (typ: string) => {
    let value = headers.get(typ)
    if (value === undefined) headers.set(typ, (value = { alg: 'RS256', typ, kid }))
    return value
  }
  return {
    kid,
    sign: (claims, typ) => new CompactSign(encoder.encode(JSON.stringify(claims))).setProtectedHeader(header(typ)).sign(key),
  }
}
