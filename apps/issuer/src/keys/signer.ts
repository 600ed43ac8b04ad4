import { importPKCS8, SignJWT, type JWTPayload } from 'jose'

export type Signer = {
  kid: string
  /** Signs the claims as a JWT with header { alg: RS256, typ, kid }. */
  sign(claims: JWTPayload, typ: string): Promise<string>
}

/** The one place a private key is imported: once, when the key becomes the signing key. */
export async function createSigner(kid: string, privatePem: string): Promise<Signer> {
  const key = await importPKCS8(privatePem, 'RS256')
  return {
    kid,
    sign: (claims, typ) => new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ, kid }).sign(key),
  }
}
