import type { UserStore } from '../storage/ports.ts'
import { randomToken } from '../tokens/random.ts'
import { hashPassword, passwordProblem } from './password.ts'
import { InvalidUserInput, normalizeEmail, type User } from './user.ts'

// An address with one @ and no spaces: deliverability is the operator's business, not a regular expression's.
const EMAIL = /^[^\s@]+@[^\s@]+$/

/** Creates a user with an argon2id hash of the password; the password itself goes no further. */
export async function registerUser(input: { email: string; password: string }, deps: { users: UserStore }): Promise<User> {
  const email = normalizeEmail(input.email)
  if (!EMAIL.test(email) || email.length > 254) throw new InvalidUserInput(`invalid e-mail address ${JSON.stringify(input.email)}`)
  const problem = passwordProblem(input.password)
  if (problem !== undefined) throw new InvalidUserInput(problem)
  if ((await deps.users.findByEmail(email)) !== undefined) throw new InvalidUserInput(`a user with e-mail ${email} already exists`)
  return deps.users.insert({ id: randomToken(16), email, passwordHash: await hashPassword(input.password) })
}
