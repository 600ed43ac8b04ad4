import { calculateJwkThumbprint, exportJWK, exportPKCS8, generateKeyPair } from 'jose'
import type { KeyRecord, KeyState } from './key-record.ts'

export type GeneratedKey = { record: KeyRecord; privatePem: string }

/** A fresh RSA key pair; its kid is the RFC 7638 thumbprint of the public key. */
export async function generateSigningKey(modulusLength: number, state: KeyState, now: Date): Promise<GeneratedKey> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { modulusLength, extractable: true })
  const { kty, n, e } = await exportJWK(publicKey)
  const publicJwk = { kty, n, e }
  const kid = await calculateJwkThumbprint(publicJwk, 'sha256')
  return {
    record: {
      kid,
      state,
      alg: 'RS256',
      publicJwk,
      createdAt: now,
      activatedAt: state === 'active' ? now : null,
      retiredAt: null,
    },
    privatePem: await exportPKCS8(privateKey),
  }
}
