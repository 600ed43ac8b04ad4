import type { KeyRing } from './key-ring.ts'
import type { KeyStep } from './rotation.ts'

export type KeyMaintenanceLog = {
  info(details: object, message: string): void
  warn(details: object, message: string): void
}

/**
 * Reloads the key ring every KEY_REFRESH_SECONDS, so a rotation made through any instance or the CLI reaches
 * this one within that time, and the transitions due are applied by whichever instance gets there first.
 * The timer is unref'd: it never keeps the process alive. A failed reload (database away) keeps the last view.
 */
export function startKeyMaintenance(ring: KeyRing, options: { intervalSeconds: number; log: KeyMaintenanceLog }): { stop(): void } {
  let running = false
  const timer = setInterval(() => {
    if (running) return
    running = true
    ring
      .reload()
      .then(
        (steps) => {
          if (steps.length === 0) return
          const active = ring.keys().find((key) => key.state === 'active')
          options.log.info({ steps: steps.map(describe), kid: active?.kid }, 'signing keys changed')
        },
        (error: unknown) => options.log.warn({ err: error }, 'could not reload the signing keys'),
      )
      .finally(() => {
        running = false
      })
  }, options.intervalSeconds * 1000)
  timer.unref()
  return { stop: () => clearInterval(timer) }
}

function describe(step: KeyStep): string {
  return step.type === 'create' ? `create ${step.state}` : `${step.type} ${step.kid}`
}
