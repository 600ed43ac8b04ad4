// Prisma's schema engine (migrations, diffs, introspection) as WebAssembly, driven through a driver adapter.
// Used in-process by deployMigrations() and by schema-engine-shim.mjs, which stands in for the native
// `schema-engine` binary the Prisma CLI would otherwise download (its download host is unreachable here).
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import * as bg from '@prisma/schema-engine-wasm/schema_engine_bg'
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils'

const defaultSchemaPath = fileURLToPath(new URL('../schema.prisma', import.meta.url))
const defaultMigrationsDir = fileURLToPath(new URL('../migrations', import.meta.url))

// The package's entry point imports the .wasm file as an ES module, which Node 20 and tsx refuse without
// --experimental-wasm-modules, so instantiate the module by hand with the package's own JS glue as imports.
const imports = { ...bg }
// The engine arms a 10 s timer that it never clears: unref it, or Node waits for it after the work is done.
for (const name of Object.keys(imports)) {
  if (name.startsWith('__wbg_setTimeout_')) imports[name] = (fn, ms) => setTimeout(fn, ms >>> 0).unref()
}
const wasmUrl = new URL('./schema_engine_bg.wasm', import.meta.resolve('@prisma/schema-engine-wasm/schema_engine_bg'))
const instance = new WebAssembly.Instance(new WebAssembly.Module(fs.readFileSync(wasmUrl)), {
  './schema_engine_bg.js': imports,
})
bg.__wbg_set_wasm(instance.exports)
instance.exports.__wbindgen_start()

/** The engine's commit hash, e.g. for `schema-engine --version`. */
export const engineVersion = () => bg.version()

/**
 * Opens an engine over `factory`. `schemas` is a list of [file name, Prisma schema text], or undefined for
 * commands that take their schemas as parameters (an empty list is an error).
 */
export function openEngine(factory, schemas) {
  return bg.SchemaEngine.new({ datamodels: schemas }, () => {}, bindMigrationAwareSqlAdapterFactory(factory))
}

/** The migrations folder in the shape the CLI sends the engine: directories sorted by name, files read. */
export function readMigrations(dir = defaultMigrationsDir) {
  const baseDir = path.resolve(dir)
  const read = (file) => {
    try {
      return { tag: 'ok', value: fs.readFileSync(file, 'utf8') }
    } catch (error) {
      return { tag: 'error', value: error.message }
    }
  }
  const lock = read(path.join(baseDir, 'migration_lock.toml'))
  const names = fs.existsSync(baseDir)
    ? fs.readdirSync(baseDir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name)
    : []
  return {
    baseDir,
    lockfile: { path: 'migration_lock.toml', content: lock.tag === 'ok' ? lock.value : null },
    shadowDbInitScript: '',
    migrationDirectories: names
      .sort((a, b) => a.localeCompare(b))
      .map((name) => ({
        path: name,
        migrationFile: { path: 'migration.sql', content: read(path.join(baseDir, name, 'migration.sql')) },
      })),
  }
}

/**
 * `prisma migrate deploy`, in-process: applies the pending migrations and returns their names. Writes the same
 * `_prisma_migrations` rows as the CLI. Closes the factory's connections afterwards if it can (`disposeAll`).
 */
export async function deployMigrations(factory, { schemaPath = defaultSchemaPath, migrationsDir = defaultMigrationsDir } = {}) {
  try {
    const engine = await openEngine(factory, [[path.basename(schemaPath), fs.readFileSync(schemaPath, 'utf8')]])
    try {
      const { appliedMigrationNames } = await engine.applyMigrations({
        migrationsList: readMigrations(migrationsDir),
        filters: { externalTables: [], externalEnums: [] },
      })
      return appliedMigrationNames
    } finally {
      engine.free()
    }
  } finally {
    await factory.disposeAll?.()
  }
}
