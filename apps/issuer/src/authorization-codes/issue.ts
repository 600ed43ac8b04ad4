import type { Clock } from '../clock.ts'
import type { EphemeralStore } from '../storage/ports.ts'
import { hashToken } from '../tokens/hash.ts'
import { randomToken } from '../tokens/random.ts'
import { CODE_TTL_SECONDS, codeKey, type AuthorizationCodeRecord } from './code.ts'

/** A fresh single-use code (256 random bits) bound to the request it answers; only its hash is stored. */
export async function issueAuthorizationCode(
  grant: Omit<AuthorizationCodeRecord, 'expiresAt'>,
  deps: { ephemeral: EphemeralStore; clock: Clock },
): Promise<string> {
  const code = randomToken()
  const record: AuthorizationCodeRecord = { ...grant, expiresAt: deps.clock.now() + CODE_TTL_SECONDS * 1000 }
  await deps.ephemeral.put(codeKey(hashToken(code)), JSON.stringify(record), CODE_TTL_SECONDS * 1000)
  return code
}
