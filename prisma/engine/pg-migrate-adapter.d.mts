import { PrismaPg } from '@prisma/adapter-pg'

/** PrismaPg fixed for the schema engine (see pg-migrate-adapter.mjs); for migrations, not for queries. */
export declare class MigratePg extends PrismaPg {
  /** The connection as discrete node-postgres fields, parsed from the URL. */
  readonly pgConfig: { host: string; port: number; user: string; password: string; database: string }
  constructor(url: string)
  /** Closes every connection this factory opened (and drops any shadow database still there). */
  disposeAll(): Promise<void>
}
