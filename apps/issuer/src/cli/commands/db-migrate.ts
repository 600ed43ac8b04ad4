import type { Config } from '../../config.ts'
import { connectPGlite, connectPostgres } from '../../storage/prisma/connect.ts'

/** keymint db migrate: applies pending migrations (the issuer also does this at start-up). */
export async function dbMigrate(config: Config): Promise<number> {
  const connection =
    config.databaseUrl === undefined ? await connectPGlite(config.dataDir) : await connectPostgres(config.databaseUrl, { migrate: true })
  await connection.close()
  process.stdout.write('migrations applied\n')
  return 0
}
