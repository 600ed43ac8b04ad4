import type { KeyRecord, KeyState } from './key-record.ts'
import { planRevocation, planStaging, type RotationPolicy } from './rotation.ts'
import { transitionKeys, type KeyDeps, type Transition } from './transition.ts'

/** The operator's key verbs (`keymint keys rotate|revoke`): a running issuer's key ring, or the CLI on storage. */
export type KeyAdmin = {
  policy: RotationPolicy
  /** Stages a new key now; it signs once activatesAt(key) has passed. Returns the staged key. */
  rotate(): Promise<KeyRecord>
  /** Takes the key out of the JWKS now; undefined for an unknown kid. */
  revoke(kid: string): Promise<Revocation | undefined>
}

export type Revocation = {
  key: KeyRecord
  /** Its state before: 'active' or 'retired' mean tokens it signed may still be in use, and are now rejected. */
  previousState: KeyState
  /** The key that became active because the revoked one was. */
  activated: KeyRecord | undefined
}

export async function stageKey(deps: KeyDeps): Promise<{ key: KeyRecord; transition: Transition }> {
  const transition = await transitionKeys(deps, (keys, now) => planStaging(keys, now, deps.policy))
  const key = transition.created.find((created) => created.state === 'staged')
  if (key === undefined) throw new Error('no key was staged')
  return { key, transition }
}

export async function revokeKey(deps: KeyDeps, kid: string): Promise<{ revocation: Revocation | undefined; transition: Transition }> {
  const transition = await transitionKeys(deps, (keys) => planRevocation(keys, kid))
  const before = transition.before.find((key) => key.kid === kid)
  const key = transition.keys.find((k) => k.kid === kid)
  if (before === undefined || key === undefined) return { revocation: undefined, transition }
  const activated = before.state === 'active' ? transition.keys.find((k) => k.state === 'active') : undefined
  return { revocation: { key, previousState: before.state, activated }, transition }
}

/** The key verbs straight on storage, for the CLI when no issuer is running. */
export function createKeyAdmin(deps: KeyDeps): KeyAdmin {
  return {
    policy: deps.policy,
    rotate: async () => (await stageKey(deps)).key,
    revoke: async (kid) => (await revokeKey(deps, kid)).revocation,
  }
}
