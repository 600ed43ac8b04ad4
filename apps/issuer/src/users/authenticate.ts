import type { UserStore } from '../storage/ports.ts'
import { dummyPasswordHash, verifyPassword } from './password.ts'
import { normalizeEmail, type User } from './user.ts'

export type Authentication =
  | { ok: true; user: User }
  | { ok: false; reason: 'unknown_user' | 'wrong_password' | 'disabled'; userId?: string | undefined }

/**
 * Checks an e-mail and password. Every path verifies one argon2id hash (a dummy one when there is no such
 * user), so the answer takes as long whether or not the address exists; a disabled user fails like a wrong
 * password. The reason is for the audit log only: callers show one message for every failure.
 */
export async function authenticateUser(attempt: { email: string; password: string }, deps: { users: UserStore }): Promise<Authentication> {
  const user = await deps.users.findByEmail(normalizeEmail(attempt.email))
  const matches = await verifyPassword(attempt.password, user?.passwordHash ?? (await dummyPasswordHash()))
  if (user === undefined) return { ok: false, reason: 'unknown_user' }
  if (!matches) return { ok: false, reason: 'wrong_password', userId: user.id }
  if (user.status !== 'active') return { ok: false, reason: 'disabled', userId: user.id }
  return { ok: true, user }
}
