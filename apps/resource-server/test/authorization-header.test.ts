import t from 'tap';
import { bearerChallenge, parseAuthorization } from '../src/bearer-auth/index.ts';

t.test('parseAuthorization', async (t) => {
  t.same(parseAuthorization(undefined), { kind: 'none' });
  t.same(parseAuthorization(''), { kind: 'none' });
  t.same(parseAuthorization('   '), { kind: 'none' });
  t.same(parseAuthorization('Basic dXNlcjpwYXNz'), { kind: 'none' });
  t.same(parseAuthorization('Bearerx abc'), { kind: 'none' });
  t.same(parseAuthorization('Bearer abc.DEF-_~+/=='), { kind: 'bearer', token: 'abc.DEF-_~+/==' });
  t.same(parseAuthorization('BEARER   abc'), { kind: 'bearer', token: 'abc' });
  t.match(parseAuthorization('Bearer'), { kind: 'malformed', description: /needs a token/ });
  t.match(parseAuthorization('Bearer a b'), { kind: 'malformed', description: /exactly one/ });
  t.match(parseAuthorization('Bearer\tabc'), { kind: 'malformed', description: /exactly one/ });
  t.match(parseAuthorization('Bearer a=b'), { kind: 'malformed', description: /b64token/ });
  t.match(parseAuthorization('Bearer ab\u00e9'), { kind: 'malformed', description: /b64token/ });
});

t.test('bearerChallenge', async (t) => {
  t.equal(bearerChallenge('api'), 'Bearer realm="api"');
  t.equal(
    bearerChallenge('api', { error: 'invalid_token', errorDescription: 'say "hi"\\\n' }),
    'Bearer realm="api", error="invalid_token", error_description="say hi"',
    'characters outside the RFC 6750 set are dropped',
  );
  t.equal(
    bearerChallenge('api', { error: 'insufficient_scope', scope: 'a b' }),
    'Bearer realm="api", error="insufficient_scope", scope="a b"',
  );
});
