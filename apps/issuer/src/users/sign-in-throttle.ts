import { EVENTS } from '../events.ts'
import type { AuditLog, EphemeralStore } from '../storage/ports.ts'
import { hashToken } from '../tokens/hash.ts'
import { normalizeEmail } from './user.ts'

/** Failed sign-ins allowed per window: per account (known or not, so unknown ones look the same) and per client IP. */
export const SIGN_IN_LIMITS = { perAccount: 5, perIp: 20, windowSeconds: 15 * 60 } as const

export type ThrottleScope = 'account' | 'ip'

export type SignInThrottle = {
  /** Which limit, if any, this attempt is already over: checked before any password is verified. */
  blocked(email: string, ip: string): Promise<ThrottleScope | undefined>
  /** Counts a failure against the account and the IP; the one that reaches its limit is audited once. */
  recordFailure(email: string, ip: string, context: { clientId?: string | undefined; userId?: string | undefined }): Promise<void>
  /** A successful sign-in forgets the account's failures (not the IP's). */
  clear(email: string): Promise<void>
}

type Limits = { perAccount: number; perIp: number; windowSeconds: number }

export function createSignInThrottle(deps: { ephemeral: EphemeralStore; audit: AuditLog; limits?: Limits }): SignInThrottle {
  const limits = deps.limits ?? SIGN_IN_LIMITS
  const windowMs = limits.windowSeconds * 1000
  // Addresses are hashed so that the ephemeral store holds no personal data in its key names.
  const accountKey = (email: string) => `sign-in-failures:account:${hashToken(normalizeEmail(email))}`
  const ipKey = (ip: string) => `sign-in-failures:ip:${ip}`
  const count = async (key: string) => Number((await deps.ephemeral.get(key)) ?? 0)

  return {
    async blocked(email, ip) {
      const [account, address] = await Promise.all([count(accountKey(email)), count(ipKey(ip))])
      if (account >= limits.perAccount) return 'account'
      if (address >= limits.perIp) return 'ip'
      return undefined
    },
    async recordFailure(email, ip, context) {
      const [account, address] = await Promise.all([
        deps.ephemeral.increment(accountKey(email), windowMs),
        deps.ephemeral.increment(ipKey(ip), windowMs),
      ])
      const reached: [ThrottleScope, number, number][] = [['account', account, limits.perAccount], ['ip', address, limits.perIp]]
      for (const [scope, failures, limit] of reached) {
        if (failures !== limit) continue
        await deps.audit.record({
          type: EVENTS.signInThrottled,
          clientId: context.clientId,
          userId: context.userId,
          detail: { scope, failures, windowSeconds: limits.windowSeconds, ip },
        })
      }
    },
    async clear(email) {
      await deps.ephemeral.delete(accountKey(email))
    },
  }
}
