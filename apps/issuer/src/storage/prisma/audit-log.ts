import type { AuditLog } from '../ports.ts'
import type { PrismaClient } from './generated/client.ts'

export function createPrismaAuditLog(prisma: PrismaClient): AuditLog {
  return {
    async record(event) {
      await prisma.auditEvent.create({
        data: {
          type: event.type,
          clientId: event.clientId ?? null,
          userId: event.userId ?? null,
          ...(event.detail === undefined ? {} : { detail: event.detail as object }),
        },
      })
    },
    async list(type) {
      const rows = await prisma.auditEvent.findMany({
        where: type === undefined ? {} : { type },
        orderBy: { id: 'asc' },
        select: { type: true, clientId: true, userId: true, detail: true, createdAt: true },
      })
      return rows.map((row) => ({
        type: row.type,
        clientId: row.clientId ?? undefined,
        userId: row.userId ?? undefined,
        detail: (row.detail ?? undefined) as Record<string, unknown> | undefined,
        createdAt: row.createdAt,
      }))
    },
  }
}
