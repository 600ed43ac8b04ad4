import type { Clock } from '../clock.ts'
import type { KeyStore } from '../storage/ports.ts'
import { generateSigningKey, type GeneratedKey } from './generate.ts'
import { removePrivateKey, writePrivateKey } from './key-files.ts'
import type { KeyChange, KeyRecord } from './key-record.ts'
import type { KeyStep, RotationPolicy } from './rotation.ts'

export type KeyDeps = { keyStore: KeyStore; keysDir: string; clock: Clock; modulusLength: number; policy: RotationPolicy }

/** Decides the steps for the keys as they are at `now` (planRotation, planStaging, a revocation...). */
export type KeyPlan = (keys: KeyRecord[], now: Date) => KeyStep[]

export type Transition = {
  /** The key table after the steps. */
  keys: KeyRecord[]
  /** The key table the steps were decided on (under the lock). */
  before: KeyRecord[]
  steps: KeyStep[]
  /** Keys the steps created. */
  created: KeyRecord[]
}

/**
 * Runs `plan` against the key table and applies its steps atomically. Cheap when nothing is due: one read.
 * Otherwise any new key is generated and its private PEM written to KEYS_DIR first (outside the lock, so it
 * is on disk before any instance can see the record), then the KeyStore decides again under its lock and
 * applies the steps in one transaction: instances running the same plan at once do it once between them.
 */
export async function transitionKeys(deps: KeyDeps, plan: KeyPlan): Promise<Transition> {
  let keys = await deps.keyStore.list()
  for (let attempt = 0; attempt < 3; attempt++) {
    const now = new Date(deps.clock.now())
    const wanted = plan(keys, now)
    if (wanted.length === 0) return { keys, before: keys, steps: [], created: [] }
    const fresh = await Promise.all(wanted.filter((step) => step.type === 'create').map(() => newKey(deps, now)))
    const decided: { before?: KeyRecord[]; steps?: KeyStep[]; changes?: KeyChange[] | undefined } = {}
    let committed = false
    try {
      keys = await deps.keyStore.transition((current) => {
        decided.before = current
        decided.steps = plan(current, now)
        decided.changes = toChanges(decided.steps, current, fresh, now)
        return decided.changes ?? []
      })
      committed = true
    } finally {
      // Private keys of records that were not committed would only lie around: remove them.
      const used = new Set(committed ? insertedKeys(decided.changes ?? []).map((key) => key.kid) : [])
      await Promise.all(fresh.filter((key) => !used.has(key.record.kid)).map((key) => removePrivateKey(deps.keysDir, key.record.kid)))
    }
    // Someone changed the table between the read and the lock so that more keys are needed: go again.
    if (decided.changes === undefined) continue
    return { keys, before: decided.before ?? [], steps: decided.steps ?? [], created: insertedKeys(decided.changes) }
  }
  throw new Error('the signing keys kept changing under this transition; try again')
}

async function newKey(deps: KeyDeps, now: Date): Promise<GeneratedKey> {
  const generated = await generateSigningKey(deps.modulusLength, 'staged', now)
  await writePrivateKey(deps.keysDir, generated.record.kid, generated.privatePem)
  return generated
}

function insertedKeys(changes: KeyChange[]): KeyRecord[] {
  return changes.flatMap((change) => (change.type === 'insert' ? [change.key] : []))
}

/** The steps as table changes stamped `now`; undefined when they need more new keys than were generated. */
function toChanges(steps: KeyStep[], current: KeyRecord[], fresh: GeneratedKey[], now: Date): KeyChange[] | undefined {
  const spare = [...fresh]
  const changes: KeyChange[] = []
  for (const step of steps) {
    if (step.type === 'create') {
      const generated = spare.shift()
      if (generated === undefined) return undefined
      const active = step.state === 'active'
      changes.push({ type: 'insert', key: { ...generated.record, state: step.state, createdAt: now, activatedAt: active ? now : null } })
    } else if (step.type === 'revoke') {
      // A retired key keeps the time it stopped signing; otherwise the revocation time is recorded.
      const at = current.find((key) => key.kid === step.kid)?.retiredAt ?? now
      changes.push({ type: 'revoke', kid: step.kid, at })
    } else {
      changes.push({ type: step.type, kid: step.kid, at: now })
    }
  }
  return changes
}
