import { TemporarilyUnavailable } from '../errors.ts'
import { revokeKey, stageKey, type KeyAdmin } from './key-admin.ts'
import { readPrivateKey } from './key-files.ts'
import { isPublished, type KeyRecord } from './key-record.ts'
import { toJwks, type PublishedJwks } from './jwks.ts'
import { planRotation, type KeyStep } from './rotation.ts'
import { createSigner, type Signer } from './signer.ts'
import { transitionKeys, type KeyDeps, type Transition } from './transition.ts'

/** One instance's view of the key table: what it signs with and what it publishes. */
export type KeyRing = KeyAdmin & {
  /** The active key, ready to sign. Throws 503 temporarily_unavailable if it could not be loaded. */
  signer(): Signer
  /** The JWKS of every key published now, serialized once per change. */
  jwks(): PublishedJwks
  /** The key table as last read. */
  keys(): KeyRecord[]
  /**
   * Reads the key table, applies the transitions due (promotion, retirement, scheduled staging) and swaps in
   * the result. Every instance runs it every KEY_REFRESH_SECONDS (key-maintenance.ts). Returns the steps taken.
   */
  reload(): Promise<KeyStep[]>
}

export type KeyRingDeps = KeyDeps

/** Loads the keys, applying what is due; on first start (no key at all) one is generated and activated. */
export async function openKeyRing(deps: KeyRingDeps): Promise<KeyRing> {
  let keys: KeyRecord[] = []
  let signer: Signer | undefined
  let published = { kids: '', jwks: toJwks([]) }
  let queue: Promise<unknown> = Promise.resolve()

  // One change at a time in this instance, so a slow reload never replaces a newer view.
  function serially<T>(task: () => Promise<T>): Promise<T> {
    const run = queue.then(task, task)
    queue = run.catch(() => {})
    return run
  }

  async function adopt(transition: Transition): Promise<void> {
    keys = transition.keys
    const active = keys.find((key) => key.state === 'active')
    if (signer !== undefined && signer.kid === active?.kid) return
    // A revoked key stops signing now; a retired one may sign for the moment it takes to load its successor.
    if (keys.find((key) => key.kid === signer?.kid)?.state === 'revoked') signer = undefined
    try {
      if (active === undefined) throw new Error('no signing key is active')
      signer = await createSigner(active.kid, await readPrivateKey(deps.keysDir, active.kid))
    } catch (error) {
      signer = undefined
      throw error
    }
  }

  const ring: KeyRing = {
    policy: deps.policy,
    signer() {
      if (signer === undefined) throw new TemporarilyUnavailable('no signing key is available')
      return signer
    },
    jwks() {
      const now = new Date(deps.clock.now())
      const visible = keys.filter((key) => isPublished(key, now, deps.policy))
      const kids = visible.map((key) => key.kid).join(' ')
      if (kids !== published.kids) published = { kids, jwks: toJwks(visible) }
      return published.jwks
    },
    keys: () => keys,
    reload: () =>
      serially(async () => {
        const transition = await transitionKeys(deps, (current, now) => planRotation(current, now, deps.policy))
        await adopt(transition)
        return transition.steps
      }),
    rotate: () =>
      serially(async () => {
        const { key, transition } = await stageKey(deps)
        await adopt(transition)
        return key
      }),
    revoke: (kid) =>
      serially(async () => {
        const { revocation, transition } = await revokeKey(deps, kid)
        await adopt(transition)
        return revocation
      }),
  }
  await ring.reload()
  return ring
}
