import type { Test } from 'tap'
import { manualClock } from '../../src/clock.ts'
import { InvalidGrant, InvalidScope, InvalidTarget } from '../../src/errors.ts'
import { EVENTS } from '../../src/events.ts'
import { issueRefreshToken } from '../../src/refresh-tokens/issue.ts'
import { purgeRefreshTokens } from '../../src/refresh-tokens/purge.ts'
import type { RefreshTokenPolicy, RefreshTokenRecord } from '../../src/refresh-tokens/refresh-token.ts'
import { rotateRefreshToken, type RotationDeps } from '../../src/refresh-tokens/rotate.ts'
import type { AuditLog, RefreshTokenStore, RotateRequest } from '../../src/storage/ports.ts'
import { hashToken } from '../../src/tokens/hash.ts'

export type RefreshTokenBackend = { refreshTokens: RefreshTokenStore; audit: AuditLog }

const DAY = 86_400_000
const POLICY: RefreshTokenPolicy = { idleSeconds: 14 * 86_400, absoluteSeconds: 90 * 86_400, reuseGraceSeconds: 0 }
const GRANT = { clientId: 'spa', userId: 'user-1', scopes: ['orders:read', 'orders:write'], audiences: ['https://api.example.com'], authTime: null }

/** What every RefreshTokenStore must do, exercised through the domain functions that use it, with a manual clock. */
export function refreshTokenStoreContract(t: Test, open: (t: Test) => Promise<RefreshTokenBackend>): void {
  async function setUp(t: Test, policy: Partial<RefreshTokenPolicy> = {}) {
    const backend = await open(t)
    const clock = manualClock(Date.UTC(2030, 0, 1))
    const deps: RotationDeps = { ...backend, clock, refreshTokenPolicy: { ...POLICY, ...policy } }
    const rotate = (token: string, more: { clientId?: string; scopes?: string[]; audiences?: string[] } = {}) =>
      rotateRefreshToken({ token, clientId: 'spa', scopes: [], audiences: [], ...more }, deps)
    const request = (hash: string, more: Partial<RotateRequest> = {}): RotateRequest => ({
      hash,
      clientId: 'spa',
      scopes: [],
      audiences: [],
      now: new Date(clock.now()),
      graceSince: null,
      next: { hash: hashToken(`child-of-${hash}-${Math.random()}`), expiresAt: new Date(clock.now() + POLICY.idleSeconds * 1000) },
      ...more,
    })
    return { ...backend, clock, deps, rotate, request, issue: () => issueRefreshToken(GRANT, deps) }
  }

  t.test('issue stores only the hash, with both expiries', async (t) => {
    const { refreshTokens, issue, clock } = await setUp(t)
    const { token, familyId } = await issue()
    t.match(token, /^[A-Za-z0-9_-]{43}$/, '256 random bits')
    const record = await refreshTokens.findByHash(hashToken(token))
    t.strictSame(record, {
      hash: hashToken(token),
      familyId,
      parentHash: null,
      ...GRANT,
      issuedAt: new Date(clock.now()),
      expiresAt: new Date(clock.now() + 14 * DAY),
      familyExpiresAt: new Date(clock.now() + 90 * DAY),
      usedAt: null,
      revokedAt: null,
    })
    t.equal(await refreshTokens.findByHash(token), undefined, 'the token itself is not a key')
  })

  t.test('rotate spends a token once and returns its child', async (t) => {
    const { refreshTokens, issue, request, clock } = await setUp(t)
    const { token, familyId } = await issue()
    clock.advance(60_000)
    const first = request(hashToken(token))
    const child = await refreshTokens.rotate(first)
    t.strictSame(child, {
      hash: first.next.hash,
      familyId,
      parentHash: hashToken(token),
      ...GRANT,
      issuedAt: new Date(clock.now()),
      expiresAt: first.next.expiresAt,
      familyExpiresAt: new Date(clock.now() - 60_000 + 90 * DAY),
      usedAt: null,
      revokedAt: null,
    })
    t.strictSame((await refreshTokens.findByHash(hashToken(token)))?.usedAt, new Date(clock.now()), 'the parent is spent')
    t.equal(await refreshTokens.rotate(request(hashToken(token))), undefined, 'a second rotation spends nothing')
    t.equal(await refreshTokens.findByHash(request(hashToken(token)).next.hash), undefined)
  })

  t.test('20 concurrent rotations of one token: exactly one child', async (t) => {
    const { refreshTokens, issue, request } = await setUp(t)
    const { token } = await issue()
    const results = await Promise.all(Array.from({ length: 20 }, () => refreshTokens.rotate(request(hashToken(token)))))
    t.equal(results.filter((child) => child !== undefined).length, 1)
  })

  t.test('20 concurrent refreshes through the domain: one wins, the rest are reuse, the family is revoked once', async (t) => {
    const { refreshTokens, audit, issue, rotate } = await setUp(t)
    const { token, familyId } = await issue()
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => rotate(token)))
    const won = results.filter((r) => r.status === 'fulfilled')
    t.equal(won.length, 1)
    for (const r of results) {
      // A loser either finds the token spent (reuse) or, once the first reuser revoked the family, revoked.
      if (r.status === 'rejected') t.match(r.reason, { constructor: InvalidGrant, message: /^refresh token was (already used|revoked)$/ })
    }
    const child = (won[0] as PromiseFulfilledResult<{ token: string; record: RefreshTokenRecord }>).value
    t.type((await refreshTokens.findByHash(child.record.hash))?.revokedAt, Date, 'the winner’s child is revoked with its family')
    const reuse = await audit.list(EVENTS.refreshTokenReuseDetected)
    t.equal(reuse.length, 1, 'one reuse event, not nineteen')
    t.match(reuse[0], { clientId: 'spa', userId: 'user-1', detail: { familyId } })
  })

  t.test('rotate refuses without spending: another client, wider scope, another audience', async (t) => {
    const { refreshTokens, issue, request } = await setUp(t)
    const { token } = await issue()
    const hash = hashToken(token)
    t.equal(await refreshTokens.rotate(request(hash, { clientId: 'other' })), undefined)
    t.equal(await refreshTokens.rotate(request(hash, { scopes: ['orders:read', 'admin'] })), undefined)
    t.equal(await refreshTokens.rotate(request(hash, { audiences: ['https://evil.example.com'] })), undefined)
    t.equal(await refreshTokens.rotate(request('no-such-hash')), undefined)
    t.equal((await refreshTokens.findByHash(hash))?.usedAt, null, 'still unspent')
    t.ok(await refreshTokens.rotate(request(hash, { scopes: ['orders:read'], audiences: ['https://api.example.com'] })), 'narrower is fine')
  })

  t.test('the domain says why: unknown, other client, scope, target — none of which spends the token', async (t) => {
    const { rotate, issue } = await setUp(t)
    const { token } = await issue()
    await t.rejects(rotate('nope'), new InvalidGrant('refresh token is invalid'))
    await t.rejects(rotate(token, { clientId: 'other' }), new InvalidGrant('refresh token is invalid'))
    await t.rejects(rotate(token, { scopes: ['orders:read', 'admin'] }), new InvalidScope('scope not granted to this refresh token: admin'))
    await t.rejects(
      rotate(token, { audiences: ['https://evil.example.com'] }),
      new InvalidTarget('resource not granted to this refresh token: https://evil.example.com'),
    )
    const narrowed = await rotate(token, { scopes: ['orders:read'] })
    t.strictSame(narrowed.record.scopes, ['orders:read', 'orders:write'], 'the child keeps the grant’s scopes (RFC 6749 §6)')
  })

  t.test('reuse of a spent token revokes the whole family and is recorded', async (t) => {
    const { refreshTokens, audit, issue, rotate } = await setUp(t)
    const { token: a, familyId } = await issue()
    const { token: b } = await rotate(a)
    const { token: c } = await rotate(b)
    await t.rejects(rotate(a), new InvalidGrant('refresh token was already used'))
    await t.rejects(rotate(c), new InvalidGrant('refresh token was revoked'), 'the newest token dies with its family')
    await t.rejects(rotate(a), new InvalidGrant('refresh token was revoked'))
    for (const token of [a, b, c]) t.type((await refreshTokens.findByHash(hashToken(token)))?.revokedAt, Date)
    t.match(await audit.list(EVENTS.refreshTokenFamilyRevoked), [{ clientId: 'spa', detail: { familyId, reason: 'reuse', tokens: 3 } }])
    t.equal((await audit.list(EVENTS.refreshTokenReuseDetected)).length, 1)
    t.equal(await refreshTokens.revokeFamily(familyId, new Date()), 0, 'nothing left to revoke')
  })

  t.test('idle expiry: each rotation extends it', async (t) => {
    const { issue, rotate, clock } = await setUp(t)
    let { token } = await issue()
    for (let i = 0; i < 3; i++) {
      clock.advance(14 * DAY - 1)
      ;({ token } = await rotate(token))
    }
    clock.advance(14 * DAY)
    await t.rejects(rotate(token), new InvalidGrant('refresh token has expired'))
  })

  t.test('absolute expiry: never extended, caps the idle expiry', async (t) => {
    const { refreshTokens, issue, rotate, clock } = await setUp(t)
    const start = clock.now()
    let { token } = await issue()
    let record: RefreshTokenRecord | undefined
    while (clock.now() + 10 * DAY < start + 90 * DAY) {
      clock.advance(10 * DAY)
      ;({ token, record } = await rotate(token))
    }
    t.strictSame(record?.expiresAt, new Date(start + 90 * DAY), 'the last child expires with its family, not 14 days on')
    t.strictSame(record?.familyExpiresAt, new Date(start + 90 * DAY))
    clock.set(start + 90 * DAY)
    await t.rejects(rotate(token), new InvalidGrant('refresh token has expired'))
    t.equal((await refreshTokens.findByHash(hashToken(token)))?.usedAt, null, 'an expired token is not spent')
  })

  t.test('grace window: a spent token is rotated again until its successor is used or the window closes', async (t) => {
    const { issue, rotate, clock, audit } = await setUp(t, { reuseGraceSeconds: 10 })
    const { token: a } = await issue()
    const { token: b } = await rotate(a)
    clock.advance(9_000)
    const { token: b2, record } = await rotate(a)
    t.not(b2, b)
    t.equal(record.parentHash, hashToken(a), 'a sibling of b, for a client that lost the first response')
    const { token: c } = await rotate(b2)
    await t.rejects(rotate(a), new InvalidGrant('refresh token was already used'), 'its successor was used: reuse')
    await t.rejects(rotate(c), new InvalidGrant('refresh token was revoked'))
    t.equal((await audit.list(EVENTS.refreshTokenReuseDetected)).length, 1)

    const { token: x } = await issue()
    await rotate(x)
    clock.advance(10_001)
    await t.rejects(rotate(x), new InvalidGrant('refresh token was already used'), 'after the window: reuse')
  })

  t.test('purge deletes only dead rows, in bounded batches', async (t) => {
    const { refreshTokens, clock, deps, request } = await setUp(t)
    const now = clock.now()
    let n = 0
    const row = async (expiresIn: number, familyExpiresIn = 10 * DAY) => {
      const hash = `row-${++n}`
      const familyId = `family-${n}`
      await refreshTokens.insert({
        ...{ hash, familyId, parentHash: null, clientId: 'spa', userId: null, scopes: [], audiences: [], authTime: null },
        issuedAt: new Date(now - DAY),
        expiresAt: new Date(now + expiresIn),
        familyExpiresAt: new Date(now + familyExpiresIn),
      })
      return { hash, familyId }
    }
    const live = await row(DAY)
    const spent = await row(DAY)
    const child = await refreshTokens.rotate(request(spent.hash))
    const revokedRecently = await row(DAY)
    await refreshTokens.revokeFamily(revokedRecently.familyId, new Date(now - 3_600_000))
    const revokedLongAgo = await row(DAY)
    await refreshTokens.revokeFamily(revokedLongAgo.familyId, new Date(now - 2 * DAY))
    const dead = [revokedLongAgo, await row(-1), await row(0), await row(DAY, 0), await row(DAY, -DAY)]
    for (let i = 0; i < 4; i++) dead.push(await row(-DAY))

    const calls: number[] = []
    const counting = {
      clock,
      refreshTokens: {
        ...refreshTokens,
        async purge(input: Parameters<RefreshTokenStore['purge']>[0]) {
          const deleted = await refreshTokens.purge(input)
          calls.push(deleted)
          return deleted
        },
      },
    }
    t.equal(await purgeRefreshTokens(counting, { batchSize: 4, revokedRetentionSeconds: 86_400 }), 9)
    t.strictSame(calls, [4, 4, 1], 'batches of at most four, until one comes back short')
    for (const { hash } of dead) t.equal(await refreshTokens.findByHash(hash), undefined, `${hash} is gone`)
    for (const hash of [live.hash, spent.hash, child?.hash as string, revokedRecently.hash]) {
      t.ok(await refreshTokens.findByHash(hash), `${hash} stays`)
    }
    t.equal(await purgeRefreshTokens(deps), 0)

    for (let i = 0; i < 5; i++) await row(-DAY)
    t.equal(await purgeRefreshTokens(deps, { batchSize: 2, maxBatches: 2 }), 4, 'one run is bounded')
    t.equal(await purgeRefreshTokens(deps, { batchSize: 2, maxBatches: 2 }), 1, 'the next takes the rest')
  })
}
