import t from 'tap';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { discoverJwksUri, DiscoveryError, metadataUrls } from '../src/bearer-auth/index.ts';
import { startStandIn } from './fixtures/issuer.ts';

t.test('metadataUrls follows RFC 8414 §3.1', async (t) => {
  t.same(metadataUrls('https://as.example').map(String), ['https://as.example/.well-known/oauth-authorization-server']);
  t.same(metadataUrls('https://as.example/').map(String), ['https://as.example/.well-known/oauth-authorization-server']);
  t.same(metadataUrls('https://as.example/tenant/a').map(String), [
    'https://as.example/.well-known/oauth-authorization-server/tenant/a',
    'https://as.example/tenant/a/.well-known/oauth-authorization-server',
  ]);
});

t.test('returns jwks_uri from the issuer metadata', async (t) => {
  const standIn = await startStandIn();
  t.teardown(() => standIn.close());
  t.equal(await discoverJwksUri(standIn.url), `${standIn.url}/jwks`);
  t.equal(standIn.counts.metadata, 1);
});

t.test('rejects metadata naming another issuer (RFC 8414 §3.3)', async (t) => {
  const standIn = await startStandIn();
  t.teardown(() => standIn.close());
  await t.rejects(discoverJwksUri(`${standIn.url}/`), DiscoveryError, 'trailing slash is a different issuer');
  await t.rejects(discoverJwksUri(`${standIn.url}/tenant`), { message: /answered HTTP 404/ }, 'both URL forms tried');
  t.equal(standIn.counts.other, 2);
  standIn.metadata = { issuer: 'https://evil.example' };
  await t.rejects(discoverJwksUri(standIn.url), {
    name: 'DiscoveryError',
    message: /names issuer "https:\/\/evil\.example", expected exactly/,
  });
});

t.test('rejects missing, invalid or non-https jwks_uri', async (t) => {
  const standIn = await startStandIn();
  t.teardown(() => standIn.close());
  for (const jwks_uri of [undefined, 42, 'not a url']) {
    standIn.metadata = { jwks_uri };
    await t.rejects(discoverJwksUri(standIn.url), { message: /has no valid jwks_uri/ }, String(jwks_uri));
  }
  standIn.metadata = { jwks_uri: 'ftp://127.0.0.1/jwks' };
  await t.rejects(discoverJwksUri(standIn.url), { message: /not https/ });
});

t.test('https issuers need an https jwks_uri', async (t) => {
  const fake: typeof fetch = async () =>
    Response.json({ issuer: 'https://as.example', jwks_uri: 'http://as.example/jwks' });
  await t.rejects(discoverJwksUri('https://as.example', { fetch: fake }), { message: /not https/ });
  const good: typeof fetch = async () =>
    Response.json({ issuer: 'https://as.example', jwks_uri: 'https://as.example/jwks' });
  t.equal(await discoverJwksUri('https://as.example', { fetch: good }), 'https://as.example/jwks');
});

async function serve(t: { teardown(fn: () => unknown): void }, handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(req.url ?? '');
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise((resolve) => server.close(resolve)));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

t.test('issuer with a path: inserted form first, appended form as fallback', async (t) => {
  let issuer = '';
  const inserted = await serve(t, (req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/.well-known/oauth-authorization-server/tenant') {
      res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/keys` }));
    } else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
  issuer = `${inserted.url}/tenant`;
  t.equal(await discoverJwksUri(issuer), `${issuer}/keys`);
  t.same(inserted.seen, ['/.well-known/oauth-authorization-server/tenant']);

  let issuer2 = '';
  const appended = await serve(t, (req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/tenant/.well-known/oauth-authorization-server') {
      res.end(JSON.stringify({ issuer: issuer2, jwks_uri: `${issuer2}/keys` }));
    } else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
  issuer2 = `${appended.url}/tenant`;
  t.equal(await discoverJwksUri(issuer2), `${issuer2}/keys`);
  t.same(appended.seen, ['/.well-known/oauth-authorization-server/tenant', '/tenant/.well-known/oauth-authorization-server']);
});

t.test('HTTP and network failures are DiscoveryErrors', async (t) => {
  const status = await serve(t, (_req, res) => {
    res.statusCode = 500;
    res.end('oops');
  });
  await t.rejects(discoverJwksUri(status.url), { name: 'DiscoveryError', message: /answered HTTP 500, expected 200/ });

  const notJson = await serve(t, (_req, res) => res.end('<html>'));
  await t.rejects(discoverJwksUri(notJson.url), { message: /is not valid JSON/ });

  const array = await serve(t, (_req, res) => res.end('[]'));
  await t.rejects(discoverJwksUri(array.url), { message: /is not a JSON object/ });

  const gone = await startStandIn();
  await gone.close();
  await t.rejects(discoverJwksUri(gone.url), { name: 'DiscoveryError', message: /Cannot reach the issuer metadata/ });
});
