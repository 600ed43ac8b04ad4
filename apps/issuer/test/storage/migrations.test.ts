// Migrations applied in-process (deployMigrations) on real PostgreSQL and on PGlite: every migration in
// prisma/migrations, once, with the history rows `prisma migrate deploy` writes. Also the engine glue the
// Prisma CLI relies on through the schema-engine shim: MigratePg's shadow database and readMigrations().
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { PGlite } from '@electric-sql/pglite'
import pg from 'pg'
import { PrismaPGlite } from 'pglite-prisma-adapter'
import t, { type Test } from 'tap'
import { createTestDatabase } from '../helpers/databases.ts'
import { MigratePg } from '../../../../prisma/engine/pg-migrate-adapter.mjs'
import { deployMigrations, engineVersion, openEngine, readMigrations } from '../../../../prisma/engine/schema-engine.mjs'

const schemaPath = fileURLToPath(new URL('../../../../prisma/schema.prisma', import.meta.url))
const migrationsDir = fileURLToPath(new URL('../../../../prisma/migrations/', import.meta.url))
const migrationNames = readdirSync(migrationsDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort((a, b) => a.localeCompare(b))
const noFilters = { externalTables: [], externalEnums: [] }

type Query = (sql: string, values?: unknown[]) => Promise<unknown[]>

// A fresh PostgreSQL database, dropped when the test ends.
async function scratchDatabase(t: Test): Promise<{ url: string; query: Query }> {
  const url = new URL(await createTestDatabase(t))
  const query: Query = async (sql, values) => {
    const client = new pg.Client({ connectionString: url.href })
    await client.connect()
    try {
      return (await client.query(sql, values)).rows
    } finally {
      await client.end()
    }
  }
  return { url: url.href, query }
}

// Deploys twice, then reads back what the database holds.
async function deployTwice(deploy: () => Promise<string[]>, query: Query) {
  return {
    firstDeploy: await deploy(),
    secondDeploy: await deploy(),
    tables: await query(
      `SELECT table_name FROM information_schema.tables
       WHERE table_schema = 'public' AND table_name IN ('clients', 'signing_keys') ORDER BY table_name`,
    ),
    history: await query(
      `SELECT migration_name, checksum, finished_at IS NOT NULL AS finished,
              rolled_back_at IS NULL AS not_rolled_back, applied_steps_count
       FROM _prisma_migrations ORDER BY migration_name`,
    ),
  }
}

// What the CLI's `migrate deploy` leaves: each migration once, checksum = sha256 of its migration.sql.
const deployed = {
  firstDeploy: migrationNames,
  secondDeploy: [],
  tables: [{ table_name: 'clients' }, { table_name: 'signing_keys' }],
  history: migrationNames.map((name) => ({
    migration_name: name,
    checksum: createHash('sha256').update(readFileSync(join(migrationsDir, name, 'migration.sql'))).digest('hex'),
    finished: true,
    not_rolled_back: true,
    applied_steps_count: 1,
  })),
}

t.ok(migrationNames.length > 0, 'prisma/migrations holds at least one migration')
t.match(engineVersion(), /^[0-9a-f]{40}$/, 'the engine reports its commit (the shim prints it for --version)')

t.test('PostgreSQL: deploys every migration once', async (t) => {
  const { url, query } = await scratchDatabase(t)
  t.strictSame(await deployTwice(() => deployMigrations(new MigratePg(url)), query), deployed)
})

t.test('PGlite: deploys every migration once', async (t) => {
  const db = await PGlite.create()
  t.teardown(() => db.close())
  const query: Query = async (sql, values) => (await db.query(sql, values)).rows
  t.strictSame(await deployTwice(() => deployMigrations(new PrismaPGlite(db)), query), deployed)
})

t.test('MigratePg takes the connection apart into discrete fields', async (t) => {
  t.strictSame(new MigratePg('postgresql://keymint:p%40ss@db.example/keymint_dev').pgConfig, {
    host: 'db.example',
    port: 5432,
    user: 'keymint',
    password: 'p@ss',
    database: 'keymint_dev',
  })
})

// What `prisma migrate diff --from-migrations` (and `migrate dev`) do: replay the migrations on a shadow
// database and describe it. Fails without MigratePg's fixes: a describe error ("char" columns), the main
// database used as the shadow, or a shadow database left behind.
t.test('PostgreSQL: the migrations, replayed on a shadow database, give the schema', async (t) => {
  const { url, query } = await scratchDatabase(t)
  const factory = new MigratePg(url)
  const shadows: unknown[] = []
  const connectToShadowDb = factory.connectToShadowDb.bind(factory)
  factory.connectToShadowDb = async () => {
    const shadow = await connectToShadowDb()
    shadows.push(...(await shadow.queryRaw({ sql: 'SELECT current_database()', args: [], argTypes: [] })).rows.flat())
    return shadow
  }
  const engine = await openEngine(factory, undefined)
  try {
    const diff = await engine.diff({
      from: { tag: 'migrations', ...readMigrations(migrationsDir) },
      to: { tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content: readFileSync(schemaPath, 'utf8') }] },
      script: false,
      exitCode: true,
      filters: noFilters,
    })
    t.strictSame(diff, { exitCode: 0, stdout: 'No difference detected.\n' })
  } finally {
    engine.free()
    await factory.disposeAll()
  }
  t.matchOnly(shadows, [/^prisma_migrate_shadow_db_[0-9a-f-]{36}$/], 'one shadow database, not the main one')
  t.strictSame(await query('SELECT datname FROM pg_database WHERE datname = ANY($1)', [shadows]), [], 'and it is dropped')
})

t.test('readMigrations reads a folder the way the CLI does', async (t) => {
  const dir = t.testdir({
    '20200102000000_second': { 'migration.sql': 'SELECT 2;' },
    '20200101000000_first': {},
  })
  t.matchOnly(readMigrations(dir), {
    baseDir: dir,
    lockfile: { path: 'migration_lock.toml', content: null },
    shadowDbInitScript: '',
    migrationDirectories: [
      { path: '20200101000000_first', migrationFile: { path: 'migration.sql', content: { tag: 'error', value: /ENOENT/ } } },
      { path: '20200102000000_second', migrationFile: { path: 'migration.sql', content: { tag: 'ok', value: 'SELECT 2;' } } },
    ],
  })
  t.strictSame(readMigrations(join(dir, 'missing')).migrationDirectories, [], 'no folder, no migrations')
})
