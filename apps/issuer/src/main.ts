import closeWithGrace from 'close-with-grace'
import { createAdminOperations } from './admin/operations.ts'
import { startAdminServer } from './admin/server.ts'
import { buildApp } from './app.ts'
import { systemClock } from './clock.ts'
import { ConfigError, loadConfig } from './config.ts'
import { createDeps } from './deps.ts'
import { startKeyMaintenance } from './keys/key-maintenance.ts'
import { schedulePurge } from './refresh-tokens/purge.ts'
import { openStores } from './storage/open.ts'
import { watchKeyChanges } from './storage/prisma/key-changes.ts'

// The issuer process: config → stores → deps → app → listen, and a graceful close on SIGTERM/SIGINT.

async function main(): Promise<void> {
  const config = loadConfig(process.env)
  const stores = await openStores(config)
  const deps = await createDeps(config, stores, systemClock)
  const app = await buildApp(deps)
  const admin = await startAdminServer(createAdminOperations(deps), config.adminSocket)
  const { databaseUrl } = config
  const keyMaintenance = startKeyMaintenance(deps.keyRing, {
    intervalSeconds: config.keyRefreshSeconds,
    log: app.log,
    // Several instances share PostgreSQL: a key change made anywhere is heard at once (NOTIFY).
    changes:
      stores.mode === 'external' && databaseUrl !== undefined
        ? (onChange) =>
            watchKeyChanges(databaseUrl, onChange, {
              retrySeconds: config.keyRefreshSeconds,
              onError: (err) => app.log.warn({ err }, 'lost the key change listener; reconnecting'),
            })
        : undefined,
  })
  const purge = schedulePurge(
    { refreshTokens: stores.refreshTokens, revokedAccessTokens: stores.revokedAccessTokens, clock: systemClock },
    { onError: (err) => app.log.warn({ err }, 'refresh token purge failed') },
  )

  closeWithGrace({ delay: 10_000 }, async ({ err, signal }) => {
    if (err) app.log.error({ err }, 'closing after an error')
    else app.log.info({ signal }, 'closing')
    await keyMaintenance.stop()
    purge.stop()
    await admin.close()
    await app.close()
    await stores.close()
  })

  await app.listen({ port: config.port, host: config.host })
  app.log.info(
    { issuer: config.issuer, storage: stores.mode, kid: deps.keyRing.signer().kid, adminSocket: config.adminSocket },
    'keymint issuer ready',
  )
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`keymint: ${error.message}\n`)
  } else {
    process.stderr.write(`keymint: failed to start: ${error instanceof Error ? error.message : String(error)}\n`)
  }
  process.exit(1)
})
