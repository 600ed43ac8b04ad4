import { hash, verify } from '@node-rs/argon2'
import { randomToken } from '../tokens/random.ts'

// Passwords are hashed with argon2id (the library's default algorithm) at the OWASP-recommended cost:
// 19 MiB of memory, 2 passes, 1 lane. The PHC string carries its own salt and parameters.

const COST = { memoryCost: 19_456, timeCost: 2, parallelism: 1 }

const PASSWORD_MIN_LENGTH = 8
const PASSWORD_MAX_LENGTH = 1024

export function hashPassword(password: string): Promise<string> {
  return hash(password, COST)
}

export async function verifyPassword(password: string, passwordHash: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password)
  } catch {
    return false
  }
}

let dummy: Promise<string> | undefined

/**
 * A hash of a random password at the same cost as real ones: verifying against it when there is no user
 * makes a sign-in for an unknown address take as long as one with a wrong password.
 */
export function dummyPasswordHash(): Promise<string> {
  dummy ??= hashPassword(randomToken())
  return dummy
}

/** NIST SP 800-63B: at least 8 characters, no composition rules, long passphrases welcome. */
export function passwordProblem(password: string): string | undefined {
  const length = [...password].length
  if (length < PASSWORD_MIN_LENGTH) return `password must have at least ${PASSWORD_MIN_LENGTH} characters`
  if (length > PASSWORD_MAX_LENGTH) return `password must have at most ${PASSWORD_MAX_LENGTH} characters`
  return undefined
}
