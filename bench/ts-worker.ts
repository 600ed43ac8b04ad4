import { Worker, type WorkerOptions } from 'node:worker_threads'

/**
 * A worker thread running a TypeScript file: a one-line ESM bootstrap registers tsx in the new thread
 * first (loader hooks of the parent, and `--import tsx` in execArgv, do not reach a worker on Node 20).
 */
export function tsWorker(file: URL, options: WorkerOptions = {}): Worker {
  const tsx = import.meta.resolve('tsx/esm/api')
  const bootstrap = `const { register } = await import(${JSON.stringify(tsx)}); register(); await import(${JSON.stringify(file.href)})`
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`), { ...options, execArgv: [] })
}
