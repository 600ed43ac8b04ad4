import t from 'tap';
import { buildApp } from '../src/app.ts';
import { createAccessTokenVerifier } from '../src/bearer-auth/index.ts';

const options = { issuer: 'https://as.example', audience: 'api', jwksUri: 'https://as.example/jwks' };

t.test('5xx errors never leak messages or stacks', async (t) => {
  const app = await buildApp(options);
  t.teardown(() => app.close());
  app.get('/boom', async () => {
    throw new Error('database password is hunter2');
  });
  const res = await app.inject({ url: '/boom' });
  t.equal(res.statusCode, 500);
  t.same(res.json(), { error: 'server_error', error_description: 'Internal server error' });

  const missing = await app.inject({ url: '/nope' });
  t.equal(missing.statusCode, 404);
});

t.test('routes are protected without contacting the issuer for bad headers', async (t) => {
  const app = await buildApp({ ...options, realm: 'orders', clockToleranceSec: 0, cacheMaxAgeMs: 1000 });
  t.teardown(() => app.close());
  const res = await app.inject({ url: '/orders' });
  t.equal(res.statusCode, 401);
  t.equal(res.headers['www-authenticate'], 'Bearer realm="orders"');
});

t.test('verifier options are validated', async (t) => {
  t.throws(() => createAccessTokenVerifier({ ...options, issuer: '' }), { message: /issuer must be a non-empty string/ });
  t.throws(() => createAccessTokenVerifier({ ...options, audience: '' }), { message: /audience must be a non-empty string/ });
  t.throws(() => createAccessTokenVerifier({ ...options, jwksUri: 'not a url' }), TypeError);
});
