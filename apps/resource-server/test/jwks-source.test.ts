// The JWKS cache follows the issuer's Cache-Control max-age: a key published before it signs is held by the
// time a token carries its kid, with no unknown-kid refetch; a failed refetch keeps the keys already held.
import t from 'tap';
import type { Test } from 'tap';
import { createAccessTokenVerifier, InvalidAccessTokenError } from '../src/bearer-auth/index.ts';
import { cacheControlMaxAge } from '../src/bearer-auth/jwks-source.ts';
import { createKey, signAccessToken, startStandIn } from './fixtures/issuer.ts';
import type { TestKey } from './fixtures/issuer.ts';

const AUDIENCE = 'https://api.keymint.test/orders';
// Unknown kids never cause a refetch in these tests: only max-age can bring a new key in.
const NO_UNKNOWN_KID_REFETCH = { cooldownMs: 600_000, cacheMaxAgeMs: 600_000 };

async function setUp(t: Test, cacheControl: string | undefined) {
  const first = await createKey();
  const standIn = await startStandIn([first.publicJwk]);
  standIn.cacheControl = cacheControl;
  t.teardown(() => standIn.close());
  const verify = createAccessTokenVerifier({ issuer: standIn.url, audience: AUDIENCE, jwksUri: `${standIn.url}/jwks`, ...NO_UNKNOWN_KID_REFETCH });
  const sign = (key: TestKey) => signAccessToken(key, { issuer: standIn.url, audience: AUDIENCE });
  return { first, standIn, verify, sign };
}

/** Calls `attempt` until it returns true or `ms` have passed; returns how many calls it took, or -1. */
async function pollUntil(attempt: () => Promise<boolean>, ms: number): Promise<number> {
  const deadline = performance.now() + ms;
  for (let calls = 1; performance.now() < deadline; calls++) {
    if (await attempt()) return calls;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return -1;
}

const accepted = (verify: (token: string) => Promise<unknown>, token: string) =>
  verify(token).then(
    () => true,
    (error: unknown) => {
      if (error instanceof InvalidAccessTokenError) return false;
      throw error;
    },
  );

t.test('a key published under max-age=1 is picked up within about a second, without an unknown-kid refetch', async (t) => {
  const { first, standIn, verify, sign } = await setUp(t, 'public, max-age=1');
  t.ok(await accepted(verify, await sign(first)));
  t.equal(standIn.counts.jwks, 1);

  const next = await createKey();
  standIn.keys = [first.publicJwk, next.publicJwk];
  const token = await sign(next);
  const started = performance.now();
  const calls = await pollUntil(() => accepted(verify, token), 5_000);
  t.ok(calls > 0, `the new key verifies after ${Math.round(performance.now() - started)} ms`);
  t.ok(standIn.counts.jwks <= 3, `one refetch per max-age, not per call (${standIn.counts.jwks} fetches over ${calls} calls)`);
});

t.test('max-age=0 and no-cache are floored to one second: never a fetch per token', async (t) => {
  for (const header of ['max-age=0', 'no-cache']) {
    const { first, standIn, verify, sign } = await setUp(t, header);
    const token = await sign(first);
    for (let i = 0; i < 50; i++) t.ok(await accepted(verify, token), `${header}: call ${i}`);
    t.ok(standIn.counts.jwks <= 2, `${header}: ${standIn.counts.jwks} fetches for 50 calls`);
  }
});

t.test('a configured cacheMaxAgeMs below the max-age wins', async (t) => {
  const first = await createKey();
  const standIn = await startStandIn([first.publicJwk]);
  standIn.cacheControl = 'public, max-age=3600';
  t.teardown(() => standIn.close());
  const verify = createAccessTokenVerifier({ issuer: standIn.url, audience: AUDIENCE, jwksUri: `${standIn.url}/jwks`, cooldownMs: 600_000, cacheMaxAgeMs: 1_000 });
  t.ok(await accepted(verify, await signAccessToken(first, { issuer: standIn.url, audience: AUDIENCE })));
  const next = await createKey();
  standIn.keys = [first.publicJwk, next.publicJwk];
  const token = await signAccessToken(next, { issuer: standIn.url, audience: AUDIENCE });
  t.ok((await pollUntil(() => accepted(verify, token), 5_000)) > 0, 'refetched after cacheMaxAgeMs');
});

t.test('when a refetch due by max-age fails, the keys held keep verifying', async (t) => {
  const { first, standIn, verify, sign } = await setUp(t, 'public, max-age=1');
  const token = await sign(first);
  t.ok(await accepted(verify, token));
  standIn.jwksMode = 'error';
  let rejected = 0;
  const failedFetch = await pollUntil(async () => {
    if (!(await accepted(verify, token))) rejected++;
    return standIn.counts.jwks >= 2;
  }, 5_000);
  t.ok(failedFetch > 0, 'the refetch was attempted and failed');
  t.equal(rejected, 0, `accepted on all ${failedFetch} calls meanwhile`);
  t.ok(await accepted(verify, token), 'and verification goes on with the held keys');
  standIn.jwksMode = 'ok';
});

t.test('cacheControlMaxAge reads RFC 9111 directives', async (t) => {
  t.equal(cacheControlMaxAge(null), undefined);
  t.equal(cacheControlMaxAge('public'), undefined);
  t.equal(cacheControlMaxAge('public, max-age=300'), 300_000);
  t.equal(cacheControlMaxAge('Max-Age="60", public'), 60_000);
  t.equal(cacheControlMaxAge('max-age=abc'), undefined);
  t.equal(cacheControlMaxAge('max-age=300, no-cache'), 0);
  t.equal(cacheControlMaxAge('no-store'), 0);
});
