import type { JWK } from 'jose'
import type { KeyChange, KeyRecord, KeyState } from '../../keys/key-record.ts'
import type { KeyStore } from '../ports.ts'
import type { PrismaClient } from './generated/client.ts'
import { KEY_CHANGES_CHANNEL } from './key-changes.ts'

const select = {
  kid: true,
  state: true,
  alg: true,
  publicJwk: true,
  createdAt: true,
  activatedAt: true,
  retiredAt: true,
} as const

type Db = Pick<PrismaClient, 'signingKey'>

// Which state each change moves a key out of: a conditional update, so a change that finds the key already
// moved (by a concurrent transition that got the lock first) changes nothing and aborts the transaction.
const FROM: Record<Exclude<KeyChange['type'], 'insert'>, KeyState[]> = {
  activate: ['staged'],
  retire: ['staged', 'active'],
  revoke: ['staged', 'active', 'retired'],
}
const TO: Record<Exclude<KeyChange['type'], 'insert'>, KeyState> = { activate: 'active', retire: 'retired', revoke: 'revoked' }

export function createPrismaKeyStore(prisma: PrismaClient): KeyStore {
  return {
    list: () => listKeys(prisma),
    transition: (decide) =>
      prisma.$transaction(async (tx) => {
        // One lock for the key table, held until commit: transitions on the same database run one at a time.
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('keymint.signing_keys'))`
        const before = await listKeys(tx)
        const changes = decide(before)
        if (changes.length === 0) return before
        for (const change of changes) await apply(tx, change)
        const after = await listKeys(tx)
        const active = after.filter((key) => key.state === 'active').length
        if (active > 1) throw new Error(`refusing a key transition that leaves ${active} active keys`)
        // Delivered at commit to every instance listening (key-changes.ts), so they reload at once.
        await tx.$executeRaw`SELECT pg_notify(${KEY_CHANGES_CHANNEL}, '')`
        return after
      }),
  }
}

async function listKeys(db: Db): Promise<KeyRecord[]> {
  const rows = await db.signingKey.findMany({ select, orderBy: { createdAt: 'asc' } })
  return rows.map((row) => ({
    ...row,
    state: row.state as KeyState,
    alg: 'RS256' as const,
    publicJwk: row.publicJwk as JWK,
  }))
}

async function apply(db: Db, change: KeyChange): Promise<void> {
  if (change.type === 'insert') {
    await db.signingKey.create({ data: { ...change.key, publicJwk: change.key.publicJwk as object } })
    return
  }
  const stamp = change.type === 'activate' ? { activatedAt: change.at } : { retiredAt: change.at }
  const { count } = await db.signingKey.updateMany({
    where: { kid: change.kid, state: { in: FROM[change.type] } },
    data: { state: TO[change.type], ...stamp },
  })
  if (count !== 1) throw new Error(`cannot ${change.type} signing key ${change.kid}: it is not ${FROM[change.type].join(' or ')}`)
}
