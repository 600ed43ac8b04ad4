import { EVENTS } from '../events.ts'
import type { AuditLog, UserStore } from '../storage/ports.ts'
import { authenticateUser } from './authenticate.ts'
import type { SignInThrottle, ThrottleScope } from './sign-in-throttle.ts'
import type { User } from './user.ts'

export type SignInAttempt = { email: string; password: string; ip: string; clientId?: string | undefined }

export type SignInResult = { outcome: 'signed-in'; user: User } | { outcome: 'failed' } | { outcome: 'throttled'; scope: ThrottleScope }

export type SignInDeps = { users: UserStore; throttle: SignInThrottle; audit: AuditLog }

/** One sign-in attempt: throttled first (no hash is verified then), audited when it fails. */
export async function signIn(attempt: SignInAttempt, deps: SignInDeps): Promise<SignInResult> {
  const scope = await deps.throttle.blocked(attempt.email, attempt.ip)
  if (scope !== undefined) return { outcome: 'throttled', scope }
  const result = await authenticateUser(attempt, deps)
  if (result.ok) {
    await deps.throttle.clear(attempt.email)
    return { outcome: 'signed-in', user: result.user }
  }
  await deps.audit.record({
    type: EVENTS.signInFailed,
    clientId: attempt.clientId,
    userId: result.userId,
    detail: { reason: result.reason, ip: attempt.ip },
  })
  await deps.throttle.recordFailure(attempt.email, attempt.ip, { clientId: attempt.clientId, userId: result.userId })
  return { outcome: 'failed' }
}
