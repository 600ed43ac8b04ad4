// Starts src/main.ts as a real process against the stand-in issuer.
import t from 'tap';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createKey, signAccessToken, startStandIn } from './fixtures/issuer.ts';

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const AUDIENCE = 'https://api.keymint.test/orders';

function start(env: Record<string, string>) {
  const { ISSUER: _i, AUDIENCE: _a, PORT: _p, HOST: _h, JWKS_CACHE_SECONDS: _c, ...inherited } = process.env;
  // Reuse this process's loader flags (tsx when run directly, tap's TypeScript
  // loader and coverage hooks under tap) so the child transpiles main.ts the same way.
  const execArgv = process.execArgv.some((arg) => arg.includes('tsx') || arg.includes('typescript'))
    ? process.execArgv
    : ['--import', 'tsx'];
  const child = spawn(process.execPath, [...execArgv, main], {
    env: { ...inherited, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  return { child, exited, stderr: () => stderr };
}

t.test('discovers the JWKS, serves requests, exits 0 on SIGTERM', async (t) => {
  const key = await createKey();
  const issuer = await startStandIn([key.publicJwk]);
  t.teardown(() => issuer.close());
  const proc = start({ ISSUER: issuer.url, AUDIENCE, PORT: '0', JWKS_CACHE_SECONDS: '120' });
  t.teardown(() => proc.child.kill('SIGKILL'));

  // Wait for pino's "ready" line, which carries the discovered jwksUri; the
  // listening address is logged just before it.
  let address = '';
  let ready: Record<string, unknown> | undefined;
  for await (const line of createInterface({ input: proc.child.stdout })) {
    const entry = JSON.parse(line) as Record<string, unknown>;
    const match = /listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(String(entry.msg));
    if (match) address = match[1] as string;
    if (entry.msg === 'resource server ready') {
      ready = entry;
      break;
    }
  }
  t.match(ready, { issuer: issuer.url, audience: AUDIENCE, jwksUri: `${issuer.url}/jwks` });
  t.equal(issuer.counts.metadata, 1, 'metadata fetched once at start-up');
  t.not(address, '');

  const token = await signAccessToken(key, { issuer: issuer.url, audience: AUDIENCE });
  const res = await fetch(`${address}/me`, { headers: { authorization: `Bearer ${token}` } });
  t.equal(res.status, 200);
  t.same(await res.json(), { sub: 'user-1', client_id: 'client-1', scope: 'orders:read' });

  proc.child.kill('SIGTERM');
  const [code] = await proc.exited;
  t.equal(code, 0, 'graceful exit');
});

t.test('exits 1 with a clear message on bad configuration', async (t) => {
  const proc = start({ PORT: 'x' });
  const [code] = await proc.exited;
  t.equal(code, 1);
  t.match(proc.stderr(), /Invalid configuration:[\s\S]*PORT must be an integer[\s\S]*ISSUER is required[\s\S]*AUDIENCE is required/);
});

t.test('exits 1 when discovery fails', async (t) => {
  const issuer = await startStandIn();
  t.teardown(() => issuer.close());
  issuer.metadata = { issuer: 'https://someone-else.test' };
  const proc = start({ ISSUER: issuer.url, AUDIENCE, PORT: '0' });
  const [code] = await proc.exited;
  t.equal(code, 1);
  t.match(proc.stderr(), /resource server failed to start: DiscoveryError: .*names issuer "https:\/\/someone-else\.test"/);
});
