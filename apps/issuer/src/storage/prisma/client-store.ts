import type { Client, AuthMethod } from '../../clients/client.ts'
import type { ClientStore } from '../ports.ts'
import type { Prisma, PrismaClient } from './generated/client.ts'

const select = {
  id: true,
  name: true,
  secretHash: true,
  tokenEndpointAuthMethod: true,
  grantTypes: true,
  scopes: true,
  audiences: true,
  redirectUris: true,
  firstParty: true,
  refreshTokenCookie: true,
  allowedOrigins: true,
  createdAt: true,
  updatedAt: true,
} as const

type Row = Prisma.ClientGetPayload<{ select: typeof select }>

function toClient(row: Row): Client {
  const { tokenEndpointAuthMethod, ...rest } = row
  return { ...rest, authMethod: tokenEndpointAuthMethod as AuthMethod }
}

export function createPrismaClientStore(prisma: PrismaClient): ClientStore {
  return {
    async insert(client) {
      const { authMethod, ...rest } = client
      const row = await prisma.client.create({ data: { ...rest, tokenEndpointAuthMethod: authMethod }, select })
      return toClient(row)
    },
    async findById(id) {
      const row = await prisma.client.findUnique({ where: { id }, select })
      return row === null ? undefined : toClient(row)
    },
    async list() {
      const rows = await prisma.client.findMany({ select, orderBy: { createdAt: 'asc' } })
      return rows.map(toClient)
    },
    async delete(id) {
      const { count } = await prisma.client.deleteMany({ where: { id } })
      return count > 0
    },
    async scopesInUse() {
      const rows = await prisma.$queryRaw<{ scope: string }[]>`
        SELECT DISTINCT unnest(scopes) AS scope FROM clients ORDER BY scope`
      return rows.map((r) => r.scope)
    },
  }
}
