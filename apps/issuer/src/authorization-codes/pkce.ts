import { createHash } from 'node:crypto'
import { constantTimeEqual } from '../clients/secret.ts'

// RFC 7636 with the S256 method only (RFC 9700 §2.1.1: plain is not offered).

/** §4.1: code_verifier = 43*128 unreserved characters. */
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/
/** §4.2: BASE64URL(SHA-256(verifier)) is always 43 characters. */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/

export function isCodeVerifier(value: string): boolean {
  return VERIFIER.test(value)
}

export function isS256Challenge(value: string): boolean {
  return S256_CHALLENGE.test(value)
}

function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url')
}

/** §4.6: the server recomputes the challenge from the verifier and compares. */
export function verifierMatches(verifier: string, challenge: string): boolean {
  return constantTimeEqual(Buffer.from(s256(verifier)), Buffer.from(challenge))
}
