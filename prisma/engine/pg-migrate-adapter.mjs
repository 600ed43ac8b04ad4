// PrismaPg (adapter-pg 7.10.1) made usable by the schema engine. Three fixes:
// 1. The engine's schema describer selects pg_constraint.contype, of type "char" (oid 18), which adapter-pg
//    rejects ("Column type 'char' could not be deserialized"). Every result relabels oid 18 as text (25).
// 2. PrismaPg drops the shadow database before closing the pool connected to it, so the drop fails and the
//    database leaks. Here the pool is closed first, and the drop is forced.
// 3. PrismaPg opens the shadow pool with `{ ...config, database }`, and a `connectionString` in that config
//    wins over `database`: the "shadow" would be the main database. Here the config is always discrete fields.
import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { PrismaPg } from '@prisma/adapter-pg'

const CHAR_OID = 18
const TEXT_OID = 25

// `performIO` is the (TypeScript-private) method every query of an adapter goes through. The engine describes
// schemas outside transactions (none was opened in migrate dev/status/reset/diff, db push/pull), so
// transactions are left as they are.
function relabelCharColumns(queryable) {
  const performIO = queryable.performIO.bind(queryable)
  queryable.performIO = async (query) => {
    const result = await performIO(query)
    for (const field of result.fields) if (field.dataTypeID === CHAR_OID) field.dataTypeID = TEXT_OID
    return result
  }
  return queryable
}

function connectionFields(url) {
  const u = new URL(url)
  return {
    host: decodeURIComponent(u.hostname),
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: decodeURIComponent(u.pathname.slice(1)),
  }
}

export class MigratePg extends PrismaPg {
  #opened = []

  constructor(url) {
    const fields = connectionFields(url)
    super(fields)
    /** The connection as discrete node-postgres fields (never a connection string). */
    this.pgConfig = fields
  }

  async connect() {
    return this.#track(relabelCharColumns(await super.connect()))
  }

  async connectToShadowDb() {
    const database = `prisma_migrate_shadow_db_${randomUUID()}`
    await this.#run(`CREATE DATABASE "${database}"`)
    const shadow = relabelCharColumns(await new PrismaPg({ ...this.pgConfig, database }).connect())
    const closePool = shadow.dispose.bind(shadow)
    shadow.dispose = async () => {
      await closePool()
      await this.#run(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`)
    }
    return this.#track(shadow)
  }

  /** Closes every connection this factory opened (and drops any shadow database still there). */
  async disposeAll() {
    for (const adapter of this.#opened.splice(0)) await adapter.dispose()
  }

  // One statement on a short-lived connection to the main database.
  async #run(sql) {
    const client = new pg.Client(this.pgConfig)
    await client.connect()
    try {
      await client.query(sql)
    } finally {
      await client.end()
    }
  }

  // Remembers the adapter for disposeAll(); disposing twice (engine, then disposeAll) does the work once.
  #track(adapter) {
    const dispose = adapter.dispose.bind(adapter)
    let disposed
    adapter.dispose = () => (disposed ??= dispose())
    this.#opened.push(adapter)
    return adapter
  }
}
