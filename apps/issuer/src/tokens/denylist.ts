import type { Clock } from '../clock.ts'
import type { EphemeralStore } from '../storage/ports.ts'

// Revoked access tokens, by jti, kept in the ephemeral store until the token would have expired anyway.

const key = (jti: string) => `denylist:jti:${jti}`

export async function denyAccessToken(jti: string, expSeconds: number, deps: { ephemeral: EphemeralStore; clock: Clock }): Promise<void> {
  const ttlMs = expSeconds * 1000 - deps.clock.now()
  if (ttlMs > 0) await deps.ephemeral.put(key(jti), '1', ttlMs)
}

export async function isAccessTokenDenied(jti: string, deps: { ephemeral: EphemeralStore }): Promise<boolean> {
  return (await deps.ephemeral.get(key(jti))) !== undefined
}
