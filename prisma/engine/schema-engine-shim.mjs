#!/usr/bin/env node
// Stands in for Prisma's native `schema-engine` binary (prisma.config.ts points PRISMA_SCHEMA_ENGINE_BINARY here),
// forwarding the CLI's calls to the WebAssembly engine over a PostgreSQL connection. Speaks what CLI 7.10.1 uses:
//   schema-engine --version
//   schema-engine --datasource '{"url":…}' cli can-connect-to-database | create-database
//   schema-engine [--datamodels <file>]… --datasource '{"url":…}'   then JSON-RPC, one message per line on stdio
import fs from 'node:fs'
import path from 'node:path'
import readline from 'node:readline'
import { parseArgs } from 'node:util'
import pg from 'pg'
import { engineVersion, openEngine } from './schema-engine.mjs'
import { MigratePg } from './pg-migrate-adapter.mjs'

const { values: args, positionals } = parseArgs({
  strict: false, // the CLI may pass options this shim ignores (--enabled-preview-features, --extension-types)
  allowPositionals: true,
  options: { version: { type: 'boolean' }, datamodels: { type: 'string', multiple: true }, datasource: { type: 'string' } },
})

if (args.version) {
  console.log(`schema-engine-cli ${engineVersion()}`)
} else {
  const factory = new MigratePg(JSON.parse(args.datasource ?? '{}').url ?? process.env.DATABASE_URL)
  if (positionals[0] === 'cli') await runOnce(positionals[1], factory.pgConfig)
  else await serve(factory, args.datamodels?.map((file) => [path.basename(file), fs.readFileSync(file, 'utf8')]))
}

// One-shot commands: exit 0, or print a line then a log record the CLI parses. P1003 ("database does not
// exist") is what makes `migrate dev` go on to `create-database`.
async function runOnce(command, config) {
  const client = new pg.Client(command === 'create-database' ? { ...config, database: 'postgres' } : config)
  try {
    await client.connect()
    if (command === 'can-connect-to-database') await client.query('SELECT 1')
    else if (command === 'create-database') await client.query(`CREATE DATABASE ${client.escapeIdentifier(config.database)}`)
    else throw new Error(`unknown command: cli ${command}`)
  } catch (error) {
    const fields = { message: error.message, error_code: error.code === '3D000' ? 'P1003' : 'P1001' }
    process.stderr.write(`schema-engine shim: cli ${command} failed\n`)
    process.stderr.write(JSON.stringify({ level: 'ERROR', target: 'schema_engine::logger', fields }))
    process.exitCode = 1
  } finally {
    await client.end().catch(() => {})
  }
}

// JSON-RPC loop: requests run one at a time, in order; the process ends when the CLI closes stdin.
async function serve(factory, schemas) {
  const engine = await openEngine(factory, schemas)
  const send = (message) => process.stdout.write(`${JSON.stringify(message)}\n`)
  try {
    for await (const line of readline.createInterface({ input: process.stdin, crlfDelay: Infinity })) {
      const request = line.trim() ? JSON.parse(line) : {}
      if (!request.method) continue // blank, or the CLI's reply to a `print` request
      const { id, method, params } = request
      try {
        const result = await call(engine, method, params)
        // The CLI prints only what the engine sends in a `print` request, not a diff's `stdout` in the reply.
        if (method === 'diff' && result.stdout) send({ jsonrpc: '2.0', id: `print-${id}`, method: 'print', params: { content: result.stdout } })
        send({ jsonrpc: '2.0', id, result: result ?? null })
      } catch (error) {
        // `code` is Prisma's error code (e.g. P3005), which the CLI shows and acts on.
        const data = { is_panic: false, message: error?.message ?? String(error), error_code: error?.code }
        send({ jsonrpc: '2.0', id, error: { code: 4466, message: 'An error happened. Check the data field for details.', data } })
      }
    }
  } finally {
    engine.free()
    await factory.disposeAll()
  }
}

async function call(engine, method, params) {
  if (method === 'getDatabaseVersion') return engine.version(params)
  if (typeof engine[method] !== 'function') throw new Error(`unknown method: ${method}`)
  try {
    return await engine[method](params)
  } catch (error) {
    // The wasm engine cannot open a shadow database itself for these two: it reads one that devDiagnostic
    // prepared for the migrations applied at that moment. The CLI asks before applying them, so prepare and retry.
    const needsShadow = /shadow DB must be provided through an external factory/.test(error?.message)
    if (!needsShadow || (method !== 'createMigration' && method !== 'evaluateDataLoss')) throw error
    await engine.devDiagnostic({ migrationsList: params.migrationsList, filters: params.filters })
    return engine[method](params)
  }
}
