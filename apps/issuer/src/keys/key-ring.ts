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

/** Loads the keys, applying what is due; on first start (no key at all) one is generated and activated. */
export async function openKeyRing(deps: KeyDeps): Promise<KeyRing> {
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

  // The new view and its signer are swapped in together, once the signer is loaded: requests never meet a
  // moment without a signing key. Until then they see the previous view (as if this reload came a moment later).
  async function adopt(transition: Transition): Promise<void> {
    const active = transition.keys.find((key) => key.state === 'active')
    let next = signer
    if (next === undefined || next.kid !== active?.kid) {
      try {
        if (active === undefined) throw new Error('no signing key is active')
        next = await createSigner(active.kid, await readPrivateKey(deps.keysDir, active.kid))
      } catch (error) {
        // Nothing signs rather than a key that is no longer the active one.
        keys = transition.keys
        signer = undefined
        throw error
      }
    }
    keys = transition.keys
    signer = next
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
