// End-to-end: a real stand-in issuer (JWKS over HTTP) and the real resource
// server, both on 127.0.0.1:0, exercised with fetch.
import t from 'tap';
import type { AddressInfo } from 'node:net';
import { buildApp } from '../src/app.ts';
import type { BuildAppOptions } from '../src/app.ts';
import {
  createKey,
  hs256WithPublicKey,
  now,
  randomKid,
  signAccessToken,
  startStandIn,
  unsignedToken,
} from './fixtures/issuer.ts';
import type { SignOptions, StandIn, TestKey } from './fixtures/issuer.ts';

const AUDIENCE = 'https://api.keymint.test/orders';
const REALM = 'keymint-resource-server';
const BARE_CHALLENGE = `Bearer realm="${REALM}"`;
const invalidToken = (description: string) =>
  `Bearer realm="${REALM}", error="invalid_token", error_description="${description}"`;
const invalidRequest = (description: string) =>
  `Bearer realm="${REALM}", error="invalid_request", error_description="${description}"`;

interface Teardown {
  teardown(fn: () => unknown): void;
}

const key = await createKey();
const issuer = await startStandIn([key.publicJwk]);
t.teardown(() => issuer.close());

async function startResourceServer(
  test: Teardown,
  standIn: StandIn,
  options: Partial<BuildAppOptions> = {},
): Promise<string> {
  const app = await buildApp({ issuer: standIn.url, audience: AUDIENCE, jwksUri: `${standIn.url}/jwks`, ...options });
  await app.listen({ port: 0, host: '127.0.0.1' });
  test.teardown(() => app.close());
  const { port } = app.server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

const sign = (options: SignOptions = {}, signingKey: TestKey = key, iss: string = issuer.url) =>
  signAccessToken(signingKey, { issuer: iss, audience: AUDIENCE }, options);

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function call(url: string, init: RequestInit = {}) {
  const res = await fetch(url, init);
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // keep {}
  }
  return { status: res.status, challenge: res.headers.get('www-authenticate'), headers: res.headers, body, text };
}

const base = await startResourceServer(t, issuer, { cooldownMs: 60_000 });

/** POST /orders with the token and a JSON body. */
const postOrder = (token: string, order: unknown) =>
  call(`${base}/orders`, {
    method: 'POST',
    headers: { ...bearer(token), 'content-type': 'application/json' },
    body: JSON.stringify(order),
  });

t.test('public health endpoint needs no token', async (t) => {
  const res = await call(`${base}/health`);
  t.equal(res.status, 200);
  t.same(res.body, { status: 'ok' });
});

t.test('valid tokens are admitted per scope', async (t) => {
  const reader = await sign({ claims: { scope: 'orders:read', sub: 'alice' } });
  const writer = await sign({ claims: { scope: 'orders:read orders:write', sub: 'alice' } });

  let res = await call(`${base}/orders`, { headers: bearer(reader) });
  t.equal(res.status, 200);
  t.same(res.body, { orders: [] });
  t.equal(res.challenge, null);

  res = await postOrder(writer, { item: 'keyboard', quantity: 2 });
  t.equal(res.status, 201);
  t.match(res.body, { item: 'keyboard', quantity: 2, id: String });

  res = await call(`${base}/orders`, { headers: bearer(reader) });
  t.equal(res.status, 200);
  t.match(res.body, { orders: [{ item: 'keyboard', quantity: 2 }] });

  res = await call(`${base}/me`, { headers: bearer(writer) });
  t.equal(res.status, 200);
  t.same(res.body, { sub: 'alice', client_id: 'client-1', scope: 'orders:read orders:write' });
});

t.test('scheme name is case-insensitive and aud may be an array', async (t) => {
  const token = await sign({ claims: { aud: ['https://other.test', AUDIENCE] } });
  const res = await call(`${base}/orders`, { headers: { authorization: `bearer ${token}` } });
  t.equal(res.status, 200);
});

t.test('a token without scope passes /me but not /orders', async (t) => {
  const token = await sign({ omit: ['scope'] });
  let res = await call(`${base}/me`, { headers: bearer(token) });
  t.equal(res.status, 200);
  t.same(res.body, { sub: 'user-1', client_id: 'client-1', scope: '' });
  res = await call(`${base}/orders`, { headers: bearer(token) });
  t.equal(res.status, 403);
});

t.test('missing or non-bearer credentials: 401 with a bare challenge (RFC 6750 §3.1)', async (t) => {
  const variants: Array<Record<string, string>> = [
    {},
    { authorization: '' },
    { authorization: 'Basic dXNlcjpwYXNz' },
    { authorization: 'DPoP abc' },
  ];
  for (const headers of variants) {
    const res = await call(`${base}/orders`, { headers });
    t.equal(res.status, 401, JSON.stringify(headers));
    t.equal(res.challenge, BARE_CHALLENGE);
    t.same(res.body, { error: 'unauthorized', error_description: 'A bearer access token is required' });
  }
});

t.test('malformed Authorization header: 400 invalid_request', async (t) => {
  const token = await sign();
  const cases: Array<[string, string]> = [
    ['Bearer', 'The Bearer scheme needs a token'],
    [`Bearer ${token} ${token}`, 'The Authorization header must hold exactly one bearer token'],
    [`Bearer ${token},${token}`, 'The bearer token contains characters outside the b64token syntax'],
    ['Bearer abc$def', 'The bearer token contains characters outside the b64token syntax'],
    ['Bearer "abc"', 'The bearer token contains characters outside the b64token syntax'],
  ];
  for (const [authorization, description] of cases) {
    const res = await call(`${base}/orders`, { headers: { authorization } });
    t.equal(res.status, 400, authorization.slice(0, 40));
    t.equal(res.challenge, invalidRequest(description));
    t.same(res.body, { error: 'invalid_request', error_description: description });
  }
});

t.test('invalid tokens: 401 invalid_token with a description', async (t) => {
  const stranger = await createKey(); // never published
  const rs384 = { ...(await createKey('RS384')), kid: key.kid };
  const t0 = now();
  const cases: Array<[string, Promise<string> | string, string]> = [
    ['expired', sign({ claims: { exp: t0 - 60, iat: t0 - 3600 } }), 'The access token expired'],
    ['not yet valid', sign({ claims: { nbf: t0 + 120 } }), 'The access token is not yet valid'],
    ['wrong iss', sign({}, key, 'https://evil.test'), 'The access token was not issued by the expected issuer'],
    ['issuer differs by a trailing slash', sign({}, key, `${issuer.url}/`), 'The access token was not issued by the expected issuer'],
    ['wrong aud', sign({ claims: { aud: 'https://other.test' } }), 'The access token is not intended for this resource server'],
    ['typ JWT', sign({ header: { typ: 'JWT' } }), 'The token is not an at+jwt access token'],
    ['no typ', sign({ header: { typ: undefined } }), 'The token is not an at+jwt access token'],
    ['RS384', sign({ header: { alg: 'RS384' } }, rs384), 'The access token is signed with a disallowed algorithm'],
    [
      'HS256 keyed with the public key',
      hs256WithPublicKey(key, { typ: 'at+jwt', kid: key.kid }, { iss: issuer.url, aud: AUDIENCE, sub: 'x', exp: t0 + 300, iat: t0, jti: 'j', client_id: 'c' }),
      'The access token is signed with a disallowed algorithm',
    ],
    [
      'alg none',
      unsignedToken({ alg: 'none', typ: 'at+jwt', kid: key.kid }, { iss: issuer.url, aud: AUDIENCE, sub: 'x', exp: t0 + 300, iat: t0, jti: 'j', client_id: 'c' }),
      'The access token is signed with a disallowed algorithm',
    ],
    ['signed by another key under a published kid', sign({ header: { kid: key.kid } }, stranger), 'The access token signature is invalid'],
    ['missing jti', sign({ omit: ['jti'] }), 'The access token lacks the jti claim'],
    ['missing exp', sign({ omit: ['exp'] }), 'The access token lacks the exp claim'],
    ['missing client_id', sign({ omit: ['client_id'] }), 'The access token lacks the client_id claim'],
    ['sub not a string', sign({ claims: { sub: 42 } }), 'The access token has an invalid sub claim'],
    ['jti not a string', sign({ claims: { jti: 7 } }), 'The access token has an invalid jti claim'],
    ['exp not a number', sign({ claims: { exp: 'soon' } }), 'The access token has an invalid exp claim'],
    ['scope not a string', sign({ claims: { scope: ['orders:read'] } }), 'The access token has an invalid scope claim'],
    ['garbage', 'abc.def.ghi', 'The access token is malformed'],
    ['not a JWT', 'abcdef', 'The access token is malformed'],
  ];
  for (const [name, tokenPromise, description] of cases) {
    const res = await call(`${base}/orders`, { headers: bearer(await tokenPromise) });
    t.equal(res.status, 401, name);
    t.equal(res.challenge, invalidToken(description), name);
    t.same(res.body, { error: 'invalid_token', error_description: description }, name);
  }
});

t.test('clock tolerance (5 s) is applied to exp and nbf', async (t) => {
  const t0 = now();
  for (const claims of [{ exp: t0 - 1 }, { nbf: t0 + 2 }]) {
    const res = await call(`${base}/orders`, { headers: bearer(await sign({ claims })) });
    t.equal(res.status, 200, JSON.stringify(claims));
  }
});

t.test('insufficient scope: 403 with the needed scope', async (t) => {
  const reader = await sign({ claims: { scope: 'orders:read profile' } });
  const res = await postOrder(reader, { item: 'x', quantity: 1 });
  t.equal(res.status, 403);
  t.equal(res.challenge, `Bearer realm="${REALM}", error="insufficient_scope", scope="orders:write"`);
  t.same(res.body, {
    error: 'insufficient_scope',
    error_description: 'The access token lacks a required scope (orders:write)',
  });
});

t.test('authentication runs before the body is parsed or validated', async (t) => {
  const res = await call(`${base}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{not json',
  });
  t.equal(res.status, 401);
  t.equal(res.challenge, BARE_CHALLENGE);

  const writer = await sign({ claims: { scope: 'orders:write' } });
  const bad = await postOrder(writer, { item: '', quantity: 0 });
  t.equal(bad.status, 400);
  t.equal(bad.body.error, 'invalid_request');
});

t.test('keys embedded in or linked from the token header are never trusted', async (t) => {
  const attacker = await createKey();
  // The attacker hosts its own JWKS; the resource server must never fetch it.
  const evil = await startStandIn([attacker.publicJwk]);
  t.teardown(() => evil.close());
  const evilJwks = `${evil.url}/jwks`;
  const before = issuer.counts.jwks;

  const claims = { sub: 'admin', scope: 'orders:read orders:write' };
  const { kid: _kid, ...attackerJwk } = attacker.publicJwk;
  const attacks: Array<[string, Record<string, unknown>]> = [
    ['embedded jwk, attacker kid', { jwk: attackerJwk, kid: attacker.kid }],
    ['embedded jwk, no kid', { jwk: attackerJwk, kid: undefined }],
    ['embedded jwk, legit kid', { jwk: attackerJwk, kid: key.kid }],
    ['jku to attacker JWKS', { jku: evilJwks, kid: attacker.kid }],
    ['jku to attacker JWKS, legit kid', { jku: evilJwks, kid: key.kid }],
    ['x5u to attacker', { x5u: evilJwks, kid: attacker.kid }],
  ];
  for (const [name, header] of attacks) {
    const token = await sign({ claims, header }, attacker);
    const res = await call(`${base}/orders`, { headers: bearer(token) });
    t.equal(res.status, 401, name);
    t.match(res.challenge, /^Bearer realm="keymint-resource-server", error="invalid_token", error_description="[^"]+"$/, name);
  }
  t.equal(evil.counts.jwks + evil.counts.metadata + evil.counts.other, 0, 'attacker URLs never fetched');
  t.ok(issuer.counts.jwks - before <= 1, 'unknown kids honour the JWKS cooldown');
});

t.test('key rotation: an unknown kid triggers a JWKS refetch', async (t) => {
  const standIn = await startStandIn([key.publicJwk]);
  t.teardown(() => standIn.close());
  const url = await startResourceServer(t, standIn, { cooldownMs: 0 });
  const signFor = (k: TestKey) => signAccessToken(k, { issuer: standIn.url, audience: AUDIENCE });

  t.equal((await call(`${url}/orders`, { headers: bearer(await signFor(key)) })).status, 200);
  t.equal(standIn.counts.jwks, 1, 'first use fetches the JWKS');
  t.equal((await call(`${url}/orders`, { headers: bearer(await signFor(key)) })).status, 200);
  t.equal(standIn.counts.jwks, 1, 'known kid is served from cache');

  const next = await createKey();
  const early = await call(`${url}/orders`, { headers: bearer(await signFor(next)) });
  t.equal(early.status, 401, 'not yet published');
  t.equal(early.challenge, invalidToken('The access token is signed with an unknown key'));
  t.equal(standIn.counts.jwks, 2, 'unknown kid caused a refetch');

  standIn.keys = [key.publicJwk, next.publicJwk];
  t.equal((await call(`${url}/orders`, { headers: bearer(await signFor(next)) })).status, 200, 'accepted after refetch');
  t.equal(standIn.counts.jwks, 3);
  t.equal((await call(`${url}/orders`, { headers: bearer(await signFor(next)) })).status, 200);
  t.equal(standIn.counts.jwks, 3, 'new key now cached');
});

t.test('a flood of unknown kids causes a bounded number of JWKS fetches', async (t) => {
  const standIn = await startStandIn([key.publicJwk]);
  t.teardown(() => standIn.close());
  const url = await startResourceServer(t, standIn, { cooldownMs: 30_000 });
  const forged = await Promise.all(
    Array.from({ length: 50 }, () =>
      signAccessToken(key, { issuer: standIn.url, audience: AUDIENCE }, { header: { kid: randomKid() } }),
    ),
  );

  // Cold cache, 50 concurrent requests: one shared fetch.
  const cold = await Promise.all(forged.map((token) => call(`${url}/orders`, { headers: bearer(token) })));
  t.ok(cold.every((r) => r.status === 401), 'all rejected');
  t.ok(standIn.counts.jwks <= 2, `cold flood: ${standIn.counts.jwks} JWKS fetches (bound 2)`);

  // Warm cache within the cooldown: no further fetches at all.
  const fetchesBefore = standIn.counts.jwks;
  const warm = await Promise.all(forged.map((token) => call(`${url}/orders`, { headers: bearer(token) })));
  t.ok(warm.every((r) => r.status === 401 && r.challenge === invalidToken('The access token is signed with an unknown key')));
  t.equal(standIn.counts.jwks, fetchesBefore, 'no refetch during the cooldown');

  // A legitimate token still works.
  const ok = await call(`${url}/orders`, { headers: bearer(await signAccessToken(key, { issuer: standIn.url, audience: AUDIENCE })) });
  t.equal(ok.status, 200);
});

t.test('issuer or JWKS unavailable: 503, never 401, never a stack trace', async (t) => {
  const assert503 = (res: Awaited<ReturnType<typeof call>>, name: string) => {
    t.equal(res.status, 503, name);
    t.equal(res.challenge, null, `${name}: no challenge`);
    t.same(res.body, { error: 'temporarily_unavailable', error_description: 'The access token cannot be verified right now' }, name);
    t.notMatch(res.text, /stack|\n\s+at |ECONNREFUSED|fetch failed|\.ts\b/, `${name}: no internals`);
  };

  // Issuer down: a port that was listening and is now closed.
  const gone = await startStandIn([key.publicJwk]);
  await gone.close();
  const downUrl = await startResourceServer(t, gone);
  const token = await signAccessToken(key, { issuer: gone.url, audience: AUDIENCE });
  assert503(await call(`${downUrl}/orders`, { headers: bearer(token) }), 'issuer down');

  // Issuer up, but its JWKS endpoint fails or returns garbage.
  const flaky = await startStandIn([key.publicJwk]);
  t.teardown(() => flaky.close());
  const flakyUrl = await startResourceServer(t, flaky, { cooldownMs: 0 });
  const flakyToken = await signAccessToken(key, { issuer: flaky.url, audience: AUDIENCE });
  flaky.jwksMode = 'error';
  assert503(await call(`${flakyUrl}/orders`, { headers: bearer(flakyToken) }), 'JWKS 500');
  flaky.jwksMode = 'garbage';
  assert503(await call(`${flakyUrl}/orders`, { headers: bearer(flakyToken) }), 'JWKS not JSON');

  // Recovery once the issuer is healthy again.
  flaky.jwksMode = 'ok';
  t.equal((await call(`${flakyUrl}/orders`, { headers: bearer(flakyToken) })).status, 200, 'recovers');

  // Header problems are still reported without contacting the issuer.
  const bare = await call(`${downUrl}/orders`);
  t.equal(bare.status, 401);
  t.equal(bare.challenge, BARE_CHALLENGE);
});
