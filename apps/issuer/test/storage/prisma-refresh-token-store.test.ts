import t from 'tap'
import { openTestStores } from '../helpers/stores.ts'
import { refreshTokenStoreContract } from './refresh-token-store.contract.ts'

// The refresh token store on real PostgreSQL (concurrent rotations race on row locks across connections)
// and on PGlite, the embedded default.
for (const kind of ['external', 'embedded'] as const) {
  t.test(`Prisma refresh token store on ${kind === 'external' ? 'PostgreSQL' : 'PGlite'}`, async (t) => {
    refreshTokenStoreContract(t, (t) => openTestStores(t, kind))
  })
}
