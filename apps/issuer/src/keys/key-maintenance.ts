import type { KeyRing } from './key-ring.ts'
import type { KeyStep } from './rotation.ts'

export type KeyMaintenanceLog = {
  info(details: object, message: string): void
  warn(details: object, message: string): void
}

/** A source of "the key table changed" signals (a PostgreSQL LISTEN); returns how to stop listening. */
export type KeyChangeSource = (onChange: () => void) => { close(): Promise<void> }

export type KeyMaintenance = {
  /** Reloads now (or once more after the reload under way); resolves when that reload is over. */
  reloadNow(): Promise<void>
  stop(): Promise<void>
}

/**
 * Keeps the key ring current: it reloads every KEY_REFRESH_SECONDS, so a rotation made through any instance
 * or the CLI reaches this one within that time, and the transitions due (promotion, retirement, scheduled
 * rotation) are applied by whichever instance gets there first. With `changes`, it also reloads as soon as
 * a transition commits anywhere, so a change usually arrives within milliseconds; the timer stays as the bound.
 * Reloads never overlap; a signal during one runs one more afterwards. The timer is unref'd: it never keeps
 * the process alive. A failed reload (database away) keeps the last view and is logged.
 */
export function startKeyMaintenance(
  ring: KeyRing,
  options: { intervalSeconds: number; log: KeyMaintenanceLog; changes?: KeyChangeSource | undefined },
): KeyMaintenance {
  let running: Promise<void> | undefined
  let again: Promise<void> | undefined

  const reloadOnce = async (): Promise<void> => {
    try {
      const steps = await ring.reload()
      if (steps.length === 0) return
      const active = ring.keys().find((key) => key.state === 'active')
      options.log.info({ steps: steps.map(describe), kid: active?.kid }, 'signing keys changed')
    } catch (error) {
      options.log.warn({ err: error }, 'could not reload the signing keys')
    }
  }

  const reloadNow = (): Promise<void> => {
    if (running === undefined) {
      running = reloadOnce().finally(() => {
        running = undefined
      })
      return running
    }
    // A reload is under way and may have read the table before this change: one more once it is over.
    again ??= running.then(() => {
      again = undefined
      return reloadNow()
    })
    return again
  }

  const timer = setInterval(() => void reloadNow(), options.intervalSeconds * 1000)
  timer.unref()
  const watch = options.changes?.(() => void reloadNow())
  return {
    reloadNow,
    async stop() {
      clearInterval(timer)
      await watch?.close()
    },
  }
}

function describe(step: KeyStep): string {
  return step.type === 'create' ? `create ${step.state}` : `${step.type} ${step.kid}`
}
