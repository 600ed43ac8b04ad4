import { InvalidUserInput, normalizeEmail, type User, type UserStatus } from '../../users/user.ts'
import type { UserStore } from '../ports.ts'
import type { Prisma, PrismaClient } from './generated/client.ts'

const select = { id: true, email: true, passwordHash: true, status: true, createdAt: true, updatedAt: true } as const

type Row = Prisma.UserGetPayload<{ select: typeof select }>

function toUser(row: Row): User {
  return { ...row, status: row.status as UserStatus }
}

export function createPrismaUserStore(prisma: PrismaClient): UserStore {
  return {
    async insert(user) {
      const email = normalizeEmail(user.email)
      try {
        return toUser(await prisma.user.create({ data: { ...user, email }, select }))
      } catch (error) {
        // P2002: unique constraint, here the e-mail address (ids are random).
        if ((error as { code?: unknown }).code === 'P2002') throw new InvalidUserInput(`a user with e-mail ${email} already exists`)
        throw error
      }
    },
    async findByEmail(email) {
      const row = await prisma.user.findUnique({ where: { email: normalizeEmail(email) }, select })
      return row === null ? undefined : toUser(row)
    },
    async findById(id) {
      const row = await prisma.user.findUnique({ where: { id }, select })
      return row === null ? undefined : toUser(row)
    },
    async list() {
      const rows = await prisma.user.findMany({ select, orderBy: { createdAt: 'asc' } })
      return rows.map(toUser)
    },
    async setStatus(id, status) {
      const { count } = await prisma.user.updateMany({ where: { id }, data: { status } })
      return count > 0
    },
  }
}
