import { setImmediate as yieldToRequests } from 'node:timers/promises'
import type { Clock } from '../clock.ts'
import type { RefreshTokenStore } from '../storage/ports.ts'

export type PurgeDeps = { refreshTokens: RefreshTokenStore; clock: Clock }

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
  const batchSize = options.batchSize ?? 1000
  const maxBatches = options.maxBatches ?? 100
  const retentionMs = (options.revokedRetentionSeconds ?? 86_400) * 1000
  let total = 0
  for (let batch = 0; batch < maxBatches; batch++) {
    const now = deps.clock.now()
    const deleted = await deps.refreshTokens.purge({ now: new Date(now), revokedBefore: new Date(now - retentionMs), limit: batchSize })
    total += deleted
    if (deleted < batchSize) break
    await yieldToRequests()
  }
  return total
}

/** Runs the purge every `everyMs` on a timer that does not keep the process alive; one run at a time. */
export function schedulePurge(
  deps: PurgeDeps,
  options: PurgeOptions & { everyMs?: number; onError?: (error: unknown) => void } = {},
): { stop(): void } {
  let running = false
  const timer = setInterval(() => {
    if (running) return
    running = true
    purgeRefreshTokens(deps, options)
      .catch((error: unknown) => options.onError?.(error))
      .finally(() => {
        running = false
      })
  }, options.everyMs ?? 60_000)
  timer.unref()
  return { stop: () => clearInterval(timer) }
}
