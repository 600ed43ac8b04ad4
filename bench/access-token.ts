import { randomBytes } from 'node:crypto'

// The claims Keymint's client_credentials grant signs (tokens/access-token.ts), with the same shape and sizes,
// so that the signing ceiling is measured over the same work.

export const AUDIENCE = 'https://api.example.com'
export const SCOPE = 'orders:read orders:write'

export function accessTokenPayload(issuer: string, clientId: string, ttlSeconds = 900): Record<string, unknown> {
  const iat = Math.floor(Date.now() / 1000)
  return {
    iss: issuer,
    sub: clientId,
    aud: AUDIENCE,
    exp: iat + ttlSeconds,
    iat,
    jti: randomBytes(16).toString('base64url'),
    client_id: clientId,
    scope: SCOPE,
  }
}
