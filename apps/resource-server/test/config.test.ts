import t from 'tap';
import { ConfigError, loadConfig } from '../src/config.ts';

const valid = { ISSUER: 'https://auth.example.com', AUDIENCE: 'https://api.example.com' };

t.test('defaults and frozen result', async (t) => {
  const config = loadConfig(valid);
  t.same(config, {
    port: 4000,
    host: '127.0.0.1',
    issuer: 'https://auth.example.com',
    audience: 'https://api.example.com',
    jwksCacheMaxAgeMs: 600_000,
  });
  t.ok(Object.isFrozen(config));
});

t.test('explicit values', async (t) => {
  const config = loadConfig({
    ...valid,
    PORT: '8080',
    HOST: '0.0.0.0',
    JWKS_CACHE_SECONDS: '60',
    ISSUER: 'http://127.0.0.1:3000',
  });
  t.equal(config.port, 8080);
  t.equal(config.host, '0.0.0.0');
  t.equal(config.issuer, 'http://127.0.0.1:3000');
  t.equal(config.jwksCacheMaxAgeMs, 60_000);
  t.equal(loadConfig({ ...valid, ISSUER: 'http://localhost:3000' }).issuer, 'http://localhost:3000');
});

t.test('every problem is reported at once', async (t) => {
  const err = t.throws(() => loadConfig({ PORT: 'eighty', JWKS_CACHE_SECONDS: '0' })) as unknown;
  t.ok(err instanceof ConfigError);
  const problems = (err as ConfigError).problems;
  t.equal(problems.length, 4);
  t.match((err as ConfigError).message, /^Invalid configuration:\n {2}- PORT must be an integer/);
  t.match(problems.join('\n'), /ISSUER is required/);
  t.match(problems.join('\n'), /AUDIENCE is required/);
  t.match(problems.join('\n'), /JWKS_CACHE_SECONDS must be an integer between 1 and 86400/);
});

t.test('invalid values', async (t) => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ PORT: '70000' }, /PORT must be an integer between 0 and 65535/],
    [{ PORT: '-1' }, /PORT must be an integer/],
    [{ ISSUER: 'auth.example.com' }, /ISSUER must be an absolute URL/],
    [{ ISSUER: 'https://auth.example.com?x=1' }, /must not have a query or fragment/],
    [{ ISSUER: 'https://auth.example.com#frag' }, /must not have a query or fragment/],
    [{ ISSUER: 'http://auth.example.com' }, /ISSUER must use https/],
    [{ ISSUER: 'ftp://auth.example.com' }, /ISSUER must use https/],
    [{ JWKS_CACHE_SECONDS: '1.5' }, /JWKS_CACHE_SECONDS/],
    [{ AUDIENCE: '   ' }, /AUDIENCE is required/],
  ];
  for (const [env, message] of cases) {
    t.throws(() => loadConfig({ ...valid, ...env }), { name: 'ConfigError', message }, JSON.stringify(env));
  }
});
