import { setImmediate as yieldToRequests } from 'node:timers/promises'
import type { Clock } from '../clock.ts'
import type { RefreshTokenStore, RevokedAccessTokenStore } from '../storage/ports.ts'

export type PurgeDeps = { refreshTokens: RefreshTokenStore; clock: Clock }
export type ScheduledPurgeDeps = PurgeDeps & { revokedAccessTokens: RevokedAccessTokenStore }

export type PurgeOptions = {
  /** Rows deleted per statement. */
  batchSize?: number
  /** Batches per run at most; what is left waits for the next run. */
  maxBatches?: number
  /** Revoked rows are kept this long, so a revoked token is reported as revoked rather than unknown. */
  revokedRetentionSeconds?: number
}

/**
 * Deletes refresh tokens that can never be used again: idle or absolutely expired, or revoked long enough
 * ago. Each batch is one short statement that skips rows other transactions hold, so rotations are never
 * blocked and several issuers may purge at once. Returns how many rows went.
 */
export async function purgeRefreshTokens(deps: PurgeDeps, options: PurgeOptions = {}): Promise<number> {
  const retentionMs = (options.revokedRetentionSeconds ?? 86_400) * 1000
  return inBatches(options, (limit) => {
    const now = deps.clock.now()
    return deps.refreshTokens.purge({ now: new Date(now), revokedBefore: new Date(now - retentionMs), limit })
  })
}

/** Deletes revocations of access tokens that have expired by now (they can never verify again), the same way. */
async function purgeRevokedAccessTokens(
  deps: { revokedAccessTokens: RevokedAccessTokenStore; clock: Clock },
  options: PurgeOptions = {},
): Promise<number> {
  return inBatches(options, (limit) => deps.revokedAccessTokens.purge({ now: new Date(deps.clock.now()), limit }))
}

async function inBatches(options: PurgeOptions, purge: (limit: number) => Promise<number>): Promise<number> {
  const batchSize = options.batchSize ?? 1000
  const maxBatches = options.maxBatches ?? 100
  let total = 0
  for (let batch = 0; batch < maxBatches; batch++) {
    const deleted = await purge(batchSize)
    total += deleted
    if (deleted < batchSize) break
    await yieldToRequests()
  }
  return total
}

/**
 * Runs both purges every `everyMs` on a timer that does not keep the process alive; one run at a time.
 * `onRun` hears how many rows each run deleted.
 */
export function schedulePurge(
  deps: ScheduledPurgeDeps,
  options: PurgeOptions & {
    everyMs?: number
    onError?: (error: unknown) => void
    onRun?: (deleted: { refreshTokens: number; revokedAccessTokens: number }) => void
  } = {},
): { stop(): void } {
  let running = false
  const run = async () => {
    const refreshTokens = await purgeRefreshTokens(deps, options)
    const revokedAccessTokens = await purgeRevokedAccessTokens(deps, options)
    options.onRun?.({ refreshTokens, revokedAccessTokens })
  }
  const timer = setInterval(() => {
    if (running) return
    running = true
    run()
      .catch((error: unknown) => options.onError?.(error))
      .finally(() => {
        running = false
      })
  }, options.everyMs ?? 60_000)
  timer.unref()
  return { stop: () => clearInterval(timer) }
}
