import type { JWK } from 'jose'
import type { KeyRecord, KeyState } from '../../keys/key-record.ts'
import type { KeyStore } from '../ports.ts'
import type { PrismaClient } from './generated/client.ts'

const select = {
  kid: true,
  state: true,
  alg: true,
  publicJwk: true,
  createdAt: true,
  activatedAt: true,
  retiredAt: true,
} as const

export function createPrismaKeyStore(prisma: PrismaClient): KeyStore {
  return {
    async list() {
      const rows = await prisma.signingKey.findMany({ select, orderBy: { createdAt: 'asc' } })
      return rows.map((row) => ({
        ...row,
        state: row.state as KeyState,
        alg: 'RS256' as const,
        publicJwk: row.publicJwk as JWK,
      }))
    },
    async insert(key: KeyRecord) {
      await prisma.signingKey.create({ data: { ...key, publicJwk: key.publicJwk as object } })
    },
    async setState(kid, state, at) {
      const stamp = state === 'active' ? { activatedAt: at } : state === 'staged' ? {} : { retiredAt: at }
      await prisma.signingKey.update({ where: { kid }, data: { state, ...stamp } })
    },
  }
}
