import { randomBytes } from 'node:crypto'
import pg from 'pg'

// External storage for the run: a fresh database keymint_bench_<random> on the server DATABASE_URL names,
// migrated by the issuer at start and dropped at the end, so a run neither sees nor leaves data.

export type BenchDatabase = { url: string; name: string; drop(): Promise<void> }

export async function createBenchDatabase(serverUrl: string): Promise<BenchDatabase> {
  const admin = new pg.Client({ connectionString: serverUrl })
  await admin.connect()
  const name = `keymint_bench_${randomBytes(5).toString('hex')}`
  try {
    await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`)
  } catch (error) {
    throw new Error(`could not create database ${name} on ${redact(serverUrl)}: ${(error as Error).message} (or pass --reuse-database)`)
  } finally {
    await admin.end()
  }
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  return {
    url: url.href,
    name,
    async drop() {
      const client = new pg.Client({ connectionString: serverUrl })
      await client.connect()
      try {
        await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`)
      } finally {
        await client.end()
      }
    },
  }
}

/** A connection URL without its password, for printing. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = '***'
    return parsed.href
  } catch {
    return '(unparsable URL)'
  }
}
