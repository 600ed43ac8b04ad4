// The plugin on its own, with an injected verify function (no issuer needed).
import t from 'tap';
import Fastify from 'fastify';
import { bearerAuth, InvalidAccessTokenError } from '../src/bearer-auth/index.ts';
import type { AccessTokenVerifier } from '../src/bearer-auth/index.ts';

async function build(verify: AccessTokenVerifier, realm?: string) {
  const app = Fastify();
  await app.register(bearerAuth, realm === undefined ? { verify } : { verify, realm });
  return app;
}

t.test('registers on the parent (no encapsulation) and is named', async (t) => {
  const app = await build(async () => ({ sub: 's', clientId: 'c', scopes: [], claims: {} }));
  t.teardown(() => app.close());
  t.type(app.requireScopes, 'function');
  t.ok(app.hasPlugin('bearer-auth'));
  t.ok(app.hasRequestDecorator('accessToken'));
});

t.test('default realm, one verification per request across hooks', async (t) => {
  let calls = 0;
  const app = await build(async (token) => {
    calls++;
    return { sub: token, clientId: 'c', scopes: ['a', 'b'], claims: {} };
  });
  t.teardown(() => app.close());
  app.get('/x', { onRequest: app.requireScopes('a'), preHandler: app.requireScopes('a', 'b') }, async (request) => ({
    sub: request.accessToken?.sub,
  }));
  app.get('/y', { onRequest: app.requireScopes('c') }, async () => 'unreachable');
  app.get('/anon', async (request) => ({ token: request.accessToken }));

  const ok = await app.inject({ url: '/x', headers: { authorization: 'Bearer tok' } });
  t.equal(ok.statusCode, 200);
  t.same(ok.json(), { sub: 'tok' });
  t.equal(calls, 1);

  const forbidden = await app.inject({ url: '/y', headers: { authorization: 'Bearer tok' } });
  t.equal(forbidden.statusCode, 403);
  t.equal(forbidden.headers['www-authenticate'], 'Bearer realm="api", error="insufficient_scope", scope="c"');

  const missing = await app.inject({ url: '/x' });
  t.equal(missing.headers['www-authenticate'], 'Bearer realm="api"');
  t.same((await app.inject({ url: '/anon' })).json(), { token: null });
});

t.test('InvalidAccessTokenError → 401; anything else → 503 without details', async (t) => {
  let failure: Error = new InvalidAccessTokenError('The access token expired');
  const app = await build(async () => {
    throw failure;
  }, 'shop');
  t.teardown(() => app.close());
  app.get('/x', { onRequest: app.requireScopes() }, async () => 'ok');

  let res = await app.inject({ url: '/x', headers: { authorization: 'Bearer tok' } });
  t.equal(res.statusCode, 401);
  t.equal(res.headers['www-authenticate'], 'Bearer realm="shop", error="invalid_token", error_description="The access token expired"');
  t.equal(res.headers['cache-control'], 'no-store');

  failure = Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443'), { stack: 'Error: secret\n    at x.ts:1' });
  res = await app.inject({ url: '/x', headers: { authorization: 'Bearer tok' } });
  t.equal(res.statusCode, 503);
  t.equal(res.headers['www-authenticate'], undefined);
  t.same(res.json(), { error: 'temporarily_unavailable', error_description: 'The access token cannot be verified right now' });
});

t.test('bad options fail fast', async (t) => {
  const verify: AccessTokenVerifier = async () => ({ sub: 's', clientId: 'c', scopes: [], claims: {} });
  await t.rejects(build(verify, 'bad "realm"'), { message: /realm must be printable ASCII/ });
  const app = await build(verify);
  t.teardown(() => app.close());
  t.throws(() => app.requireScopes('has space'), { message: /invalid scope "has space"/ });
  t.throws(() => app.requireScopes(''), TypeError);
});
