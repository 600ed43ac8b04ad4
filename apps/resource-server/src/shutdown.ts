import type { FastifyBaseLogger } from 'fastify';

export interface ShutdownTarget {
  close(): Promise<unknown>;
  log: Pick<FastifyBaseLogger, 'info' | 'error'>;
}

export interface CloseOnSignalsOptions {
  signals?: readonly NodeJS.Signals[];
  /** Exit with 1 if closing takes longer, ms. Default 10 000. */
  timeoutMs?: number;
  /** Injected for tests; defaults to process.exit. */
  exit?: (code: number) => void;
  /** Where signals arrive; defaults to process. */
  emitter?: Pick<NodeJS.EventEmitter, 'once'>;
}

/**
 * On the first SIGTERM/SIGINT: stop accepting connections, let in-flight
 * requests finish (`close()`), then exit 0; exit 1 if closing fails or hangs.
 */
export function closeOnSignals(target: ShutdownTarget, options: CloseOnSignalsOptions = {}): void {
  const {
    signals = ['SIGTERM', 'SIGINT'],
    timeoutMs = 10_000,
    exit = (code: number) => process.exit(code),
    emitter = process,
  } = options;
  let closing = false;

  const shutdown = (signal: NodeJS.Signals): void => {
    if (closing) return;
    closing = true;
    target.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      target.log.error('graceful shutdown timed out');
      exit(1);
    }, timeoutMs);
    force.unref();
    target.close().then(
      () => {
        clearTimeout(force);
        exit(0);
      },
      (err: unknown) => {
        clearTimeout(force);
        target.log.error({ err }, 'error while closing');
        exit(1);
      },
    );
  };
  for (const signal of signals) emitter.once(signal, shutdown);
}
