import type { KeyRecord, PublicationWindow } from './key-record.ts'

// The rotation rules, as pure functions of (keys, now, policy). Nothing here reads the clock or the database:
// the key ring and the admin operations run these plans inside one locked KeyStore transaction.

/** The timings rotation follows. Config has these fields, so a Config is a RotationPolicy. */
export type RotationPolicy = PublicationWindow & {
  /** How long a staged key is published before it may sign: at least the JWKS cache lifetime. */
  keyPromotionDelaySeconds: number
  /** Scheduled rotation: a successor is staged once the active key is this many days old; 0 = never. */
  keyRotationDays: number
}

/** What a plan asks for; `create` needs a freshly generated key. */
export type KeyStep =
  | { type: 'create'; state: 'staged' | 'active' }
  | { type: 'activate' | 'retire' | 'revoke'; kid: string }

const SECOND = 1000
const DAY = 86_400 * SECOND

/**
 * When a staged key starts signing: once every instance has published it (they reload within
 * KEY_REFRESH_SECONDS) and a whole JWKS cache lifetime has passed since, so no resource server meets its kid
 * without having it.
 */
export function activatesAt(key: KeyRecord, policy: RotationPolicy): Date | null {
  if (key.state !== 'staged') return null
  return new Date(key.createdAt.getTime() + (policy.keyPromotionDelaySeconds + policy.keyRefreshSeconds) * SECOND)
}

/** The JWKS Cache-Control max-age: never longer than a staged key waits, whatever the two settings say. */
export function jwksCacheSeconds(policy: RotationPolicy): number {
  return Math.min(policy.jwksMaxAgeSeconds, policy.keyPromotionDelaySeconds)
}

/**
 * The transitions due at `now`:
 * - a staged key whose wait is over becomes active, and the active key retires at that moment
 *   (if several are due, the newest wins and the older ones retire unused);
 * - with no active key at all (first start, or a table edited by hand) the newest staged key, or a new key,
 *   becomes active at once; extra active keys (never made by Keymint) retire, keeping the newest;
 * - once the active key is older than KEY_ROTATION_DAYS and nothing is staged, a successor is staged.
 * Applying the result and planning again gives no steps.
 */
export function planRotation(keys: KeyRecord[], now: Date, policy: RotationPolicy): KeyStep[] {
  const steps: KeyStep[] = []
  const [active, ...extra] = keys.filter((key) => key.state === 'active').sort(newest((key) => key.activatedAt ?? key.createdAt))
  for (const key of extra) steps.push({ type: 'retire', kid: key.kid })
  const staged = keys.filter((key) => key.state === 'staged').sort(newest((key) => key.createdAt))
  const [next, ...superseded] = staged.filter((key) => now >= (activatesAt(key, policy) as Date))

  let signingSince: Date
  let waiting: KeyRecord[]
  if (next !== undefined) {
    if (active !== undefined) steps.push({ type: 'retire', kid: active.kid })
    for (const key of superseded) steps.push({ type: 'retire', kid: key.kid })
    steps.push({ type: 'activate', kid: next.kid })
    signingSince = now
    waiting = staged.filter((key) => key !== next && !superseded.includes(key))
  } else if (active !== undefined) {
    signingSince = active.activatedAt ?? active.createdAt
    waiting = staged
  } else if (staged[0] !== undefined) {
    steps.push({ type: 'activate', kid: staged[0].kid })
    signingSince = now
    waiting = staged.slice(1)
  } else {
    return [...steps, { type: 'create', state: 'active' }]
  }

  const rotationDue = policy.keyRotationDays > 0 && now.getTime() - signingSince.getTime() >= policy.keyRotationDays * DAY
  if (rotationDue && waiting.length === 0) steps.push({ type: 'create', state: 'staged' })
  return steps
}

/** `keymint keys rotate`: stage a new key now (and apply whatever else is due). */
export function planStaging(keys: KeyRecord[], now: Date, policy: RotationPolicy): KeyStep[] {
  const due = planRotation(keys, now, policy).filter((step) => !(step.type === 'create' && step.state === 'staged'))
  return [...due, { type: 'create', state: 'staged' }]
}

/**
 * `keymint keys revoke KID`: out of the JWKS at once. If it was the active key, the newest staged key, or a new
 * one, signs from now on. Nothing for an unknown or already revoked kid.
 */
export function planRevocation(keys: KeyRecord[], kid: string): KeyStep[] {
  const key = keys.find((k) => k.kid === kid)
  if (key === undefined || key.state === 'revoked') return []
  if (key.state !== 'active') return [{ type: 'revoke', kid }]
  const [successor] = keys.filter((k) => k.state === 'staged').sort(newest((k) => k.createdAt))
  return [{ type: 'revoke', kid }, successor === undefined ? { type: 'create', state: 'active' } : { type: 'activate', kid: successor.kid }]
}

function newest(date: (key: KeyRecord) => Date): (a: KeyRecord, b: KeyRecord) => number {
  return (a, b) => date(b).getTime() - date(a).getTime()
}
