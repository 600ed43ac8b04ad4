import t from 'tap';
import { EventEmitter } from 'node:events';
import { closeOnSignals } from '../src/shutdown.ts';

function harness(close: () => Promise<unknown>, timeoutMs?: number) {
  const emitter = new EventEmitter();
  const logs: string[] = [];
  let closes = 0;
  let resolveExit: (code: number) => void = () => {};
  const exited = new Promise<number>((resolve) => (resolveExit = resolve));
  const target = {
    close: () => {
      closes++;
      return close();
    },
    log: {
      info: (_obj: unknown, msg?: string) => void logs.push(`info ${msg}`),
      error: (obj: unknown, msg?: string) => void logs.push(`error ${msg ?? String(obj)}`),
    },
  };
  closeOnSignals(target, { emitter, exit: resolveExit, ...(timeoutMs !== undefined && { timeoutMs }) });
  return { emitter, logs, exited, closes: () => closes };
}

t.test('closes once and exits 0', async (t) => {
  const h = harness(async () => undefined);
  h.emitter.emit('SIGTERM', 'SIGTERM');
  h.emitter.emit('SIGINT', 'SIGINT');
  t.equal(await h.exited, 0);
  t.equal(h.closes(), 1, 'second signal ignored');
  t.same(h.logs, ['info shutting down']);
});

t.test('exits 1 when close fails', async (t) => {
  const h = harness(async () => {
    throw new Error('nope');
  });
  h.emitter.emit('SIGINT', 'SIGINT');
  t.equal(await h.exited, 1);
  t.same(h.logs, ['info shutting down', 'error error while closing']);
});

t.test('exits 1 when close hangs past the timeout', async (t) => {
  const h = harness(() => new Promise(() => {}), 1);
  // keep the event loop alive: the force timer is unref'd
  const keepAlive = setInterval(() => {}, 1000);
  t.teardown(() => clearInterval(keepAlive));
  h.emitter.emit('SIGTERM', 'SIGTERM');
  t.equal(await h.exited, 1);
  t.same(h.logs, ['info shutting down', 'error graceful shutdown timed out']);
});
