// A person who signs in at the issuer, and the rules for their e-mail address.

const USER_STATUSES = ['active', 'disabled'] as const
export type UserStatus = (typeof USER_STATUSES)[number]

export type User = {
  id: string
  /** Lower-cased (normalizeEmail), so that addresses compare case-insensitively. */
  email: string
  /** argon2id PHC string (users/password.ts). */
  passwordHash: string
  status: UserStatus
  createdAt: Date
  updatedAt: Date
}

export type NewUser = Pick<User, 'id' | 'email' | 'passwordHash'>

/** The one way addresses are compared and stored: trimmed and lower-cased. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase()
}

/** A user that cannot be created as asked: malformed address, weak password, address taken. */
export class InvalidUserInput extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'InvalidUserInput'
  }
}
