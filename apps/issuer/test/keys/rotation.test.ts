import t from 'tap'
import { isPublished, publishedUntil, type KeyRecord, type KeyState } from '../../src/keys/key-record.ts'
import {
  activatesAt,
  jwksCacheSeconds,
  planRevocation,
  planRotation,
  planStaging,
  type KeyStep,
} from '../../src/keys/rotation.ts'
import { POLICY } from './rotation-policy.ts'

// The rotation rules as pure functions: keys in, steps out, no clock and no database.

const T0 = Date.parse('2025-01-01T00:00:00Z')
const at = (seconds: number) => new Date(T0 + seconds * 1000)
const DAYS = 86_400

function key(kid: string, state: KeyState, times: { created?: number; activated?: number; retired?: number } = {}): KeyRecord {
  return {
    kid,
    state,
    alg: 'RS256',
    publicJwk: { kty: 'RSA', n: kid, e: 'AQAB' },
    createdAt: at(times.created ?? 0),
    activatedAt: times.activated === undefined ? null : at(times.activated),
    retiredAt: times.retired === undefined ? null : at(times.retired),
  }
}

/** What the KeyStore would make of the steps, so that a plan can be checked to be a fixed point. */
function apply(keys: KeyRecord[], steps: KeyStep[], now: Date): KeyRecord[] {
  let next = keys.map((k) => ({ ...k }))
  let n = 0
  for (const step of steps) {
    if (step.type === 'create') next.push({ ...key(`new-${++n}`, step.state), createdAt: now, activatedAt: step.state === 'active' ? now : null })
    else {
      next = next.map((k) =>
        k.kid !== step.kid
          ? k
          : step.type === 'activate'
            ? { ...k, state: 'active', activatedAt: now }
            : { ...k, state: step.type === 'retire' ? 'retired' : 'revoked', retiredAt: k.retiredAt ?? now },
      )
    }
  }
  return next
}

t.test('timings', async (t) => {
  t.test('a staged key activates after the promotion delay plus one refresh interval', async (t) => {
    t.same(activatesAt(key('s', 'staged', { created: 100 }), POLICY), at(100 + 300 + 10))
    t.equal(activatesAt(key('a', 'active'), POLICY), null)
    t.same(activatesAt(key('s', 'staged'), { ...POLICY, keyPromotionDelaySeconds: 0 }), at(10))
  })

  t.test('a retired key is published for refresh + token lifetime + JWKS cache lifetime after it retired', async (t) => {
    const retired = key('r', 'retired', { activated: 0, retired: 1000 })
    const end = at(1000 + 10 + 900 + 300)
    t.same(publishedUntil(retired, POLICY), end)
    t.ok(isPublished(retired, new Date(end.getTime() - 1), POLICY), 'published until the last millisecond')
    t.notOk(isPublished(retired, end, POLICY), 'gone at the end of its window')
    t.notOk(isPublished(retired, at(99 * DAYS), POLICY))
  })

  t.test('staged and active keys are published with no end; revoked keys never', async (t) => {
    for (const state of ['staged', 'active'] as const) {
      t.equal(publishedUntil(key('k', state), POLICY), null)
      t.ok(isPublished(key('k', state), at(1000 * DAYS), POLICY), state)
    }
    const revoked = key('x', 'revoked', { retired: 50 })
    t.same(publishedUntil(revoked, POLICY), at(50), 'revoked: left the JWKS when revoked')
    t.notOk(isPublished(revoked, at(0), POLICY))
  })

  t.test('the JWKS max-age never exceeds how long a staged key waits', async (t) => {
    t.equal(jwksCacheSeconds(POLICY), 300)
    t.equal(jwksCacheSeconds({ ...POLICY, keyPromotionDelaySeconds: 60 }), 60)
    t.equal(jwksCacheSeconds({ ...POLICY, keyPromotionDelaySeconds: 3600 }), 300)
  })
})

t.test('planRotation', async (t) => {
  t.test('an empty table gets an active key', async (t) => {
    t.same(planRotation([], at(0), POLICY), [{ type: 'create', state: 'active' }])
  })

  t.test('nothing is due for a young active key', async (t) => {
    t.same(planRotation([key('a', 'active', { activated: 0 })], at(89 * DAYS), POLICY), [])
  })

  t.test('a successor is staged once the active key is KEY_ROTATION_DAYS old, unless 0', async (t) => {
    const keys = [key('a', 'active', { activated: 0 })]
    t.same(planRotation(keys, at(90 * DAYS - 1), POLICY), [])
    t.same(planRotation(keys, at(90 * DAYS), POLICY), [{ type: 'create', state: 'staged' }])
    t.same(planRotation(keys, at(900 * DAYS), { ...POLICY, keyRotationDays: 0 }), [], '0 = never')
    const legacy = [key('a', 'active', { created: 0 })]
    t.same(planRotation(legacy, at(90 * DAYS), POLICY), [{ type: 'create', state: 'staged' }], 'no activatedAt: age from createdAt')
  })

  t.test('nothing more is staged while a successor waits', async (t) => {
    const keys = [key('a', 'active', { activated: 0 }), key('s', 'staged', { created: 90 * DAYS })]
    t.same(planRotation(keys, at(90 * DAYS + 100), POLICY), [])
  })

  t.test('a staged key becomes active exactly when its wait is over, retiring the active key', async (t) => {
    const keys = [key('a', 'active', { activated: 0 }), key('s', 'staged', { created: 1000 })]
    t.same(planRotation(keys, at(1000 + 309), POLICY), [])
    const steps = planRotation(keys, at(1000 + 310), POLICY)
    t.same(steps, [
      { type: 'retire', kid: 'a' },
      { type: 'activate', kid: 's' },
    ])
    const after = apply(keys, steps, at(1310))
    t.same(planRotation(after, at(1310), POLICY), [], 'planning again gives nothing')
    t.same(planRotation(after, at(1310 + 89 * DAYS), POLICY), [], 'the new key is young: no rotation yet')
    t.same(planRotation(after, at(1310 + 90 * DAYS), POLICY), [{ type: 'create', state: 'staged' }], 'age counts from activation')
  })

  t.test('of several staged keys due, the newest wins and the older ones retire unused', async (t) => {
    const keys = [key('a', 'active', { activated: 0 }), key('s1', 'staged', { created: 100 }), key('s2', 'staged', { created: 200 }), key('s3', 'staged', { created: 5000 })]
    const steps = planRotation(keys, at(1000), POLICY)
    t.same(steps, [
      { type: 'retire', kid: 'a' },
      { type: 'retire', kid: 's1' },
      { type: 'activate', kid: 's2' },
    ])
    t.same(planRotation(apply(keys, steps, at(1000)), at(1000), POLICY), [], 's3 keeps waiting')
  })

  t.test('with no active key, the newest staged key signs at once rather than nobody', async (t) => {
    const keys = [key('s1', 'staged', { created: 0 }), key('s2', 'staged', { created: 10 }), key('r', 'retired', { retired: 0 })]
    t.same(planRotation(keys, at(20), POLICY), [{ type: 'activate', kid: 's2' }])
    t.same(planRotation([key('r', 'retired', { retired: 0 }), key('x', 'revoked')], at(20), POLICY), [{ type: 'create', state: 'active' }])
  })

  t.test('extra active keys retire, keeping the most recently activated', async (t) => {
    const keys = [key('old', 'active', { activated: 0 }), key('new', 'active', { activated: 50 }), key('mid', 'active', { activated: 20 })]
    t.same(planRotation(keys, at(100), POLICY), [
      { type: 'retire', kid: 'mid' },
      { type: 'retire', kid: 'old' },
    ])
  })

  t.test('retired and revoked keys play no part', async (t) => {
    const keys = [key('r', 'retired', { activated: 0, retired: 10 }), key('x', 'revoked', { retired: 5 }), key('a', 'active', { activated: 10 })]
    t.same(planRotation(keys, at(20), POLICY), [])
  })
})

t.test('planStaging (keymint keys rotate)', async (t) => {
  t.same(planStaging([key('a', 'active', { activated: 0 })], at(10), POLICY), [{ type: 'create', state: 'staged' }])
  t.same(planStaging([key('a', 'active', { activated: 0 })], at(100 * DAYS), POLICY), [{ type: 'create', state: 'staged' }], 'one staged key even when the schedule wanted one too')
  const keys = [key('a', 'active', { activated: 0 }), key('s', 'staged', { created: 0 })]
  t.same(planStaging(keys, at(1000), POLICY), [{ type: 'retire', kid: 'a' }, { type: 'activate', kid: 's' }, { type: 'create', state: 'staged' }], 'what is due happens too')
  t.same(planStaging([], at(0), POLICY), [{ type: 'create', state: 'active' }, { type: 'create', state: 'staged' }])
})

t.test('planRevocation (keymint keys revoke)', async (t) => {
  const keys = [
    key('r', 'retired', { activated: 0, retired: 100 }),
    key('a', 'active', { activated: 100 }),
    key('s1', 'staged', { created: 200 }),
    key('s2', 'staged', { created: 300 }),
    key('x', 'revoked', { retired: 50 }),
  ]
  t.same(planRevocation(keys, 'nope'), [], 'unknown kid')
  t.same(planRevocation(keys, 'x'), [], 'already revoked')
  t.same(planRevocation(keys, 'r'), [{ type: 'revoke', kid: 'r' }])
  t.same(planRevocation(keys, 's1'), [{ type: 'revoke', kid: 's1' }])
  t.same(planRevocation(keys, 'a'), [{ type: 'revoke', kid: 'a' }, { type: 'activate', kid: 's2' }], 'the newest staged key takes over at once')
  t.same(planRevocation([key('a', 'active')], 'a'), [{ type: 'revoke', kid: 'a' }, { type: 'create', state: 'active' }], 'or a new key')
  const after = apply(keys, planRevocation(keys, 'a'), at(400))
  t.same(planRotation(after, at(400), POLICY), [], 'nothing else due afterwards')
  t.notOk(isPublished(after.find((k) => k.kid === 'a') as KeyRecord, at(400), POLICY), 'out of the JWKS at once')
})
