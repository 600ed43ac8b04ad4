import { availableParallelism } from 'node:os'
import type { Worker } from 'node:worker_threads'
import { exportPKCS8, generateKeyPair } from 'jose'
import type { SignWorkerData } from './sign-worker.ts'
import { tsWorker } from './ts-worker.ts'

// Step 1, the ceiling: how many RS256 access tokens this machine can sign per second, and what one costs in CPU.

export type SigningRow = {
  label: string
  threads: number
  opsPerSecond: number
  /** CPU time of the whole process per signature (the signing threads and libuv's threadpool). */
  cpuMsPerOp: number
}

export type SigningCeiling = {
  /** jose SignJWT, one signature at a time on one thread: the CPU cost of one signature is the yardstick. */
  joseOneThread: SigningRow
  /** jose SignJWT on every core (one worker thread per core, two signatures in flight each). */
  joseAllCores: SigningRow
  /** node:crypto's synchronous sign on one thread: the native reference jose is compared with. */
  cryptoOneThread: SigningRow
  cryptoAllCores: SigningRow
}

export async function measureSigningCeiling(seconds: number): Promise<SigningCeiling> {
  const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true })
  const pem = await exportPKCS8(privateKey)
  const kid = 'bench-ceiling-key'
  const cores = availableParallelism()
  const run = (label: string, method: 'jose' | 'crypto', threads: number, inFlight: number) =>
    measure(label, threads, { pem, kid, seconds, inFlight, method })
  // One uncounted run first: the process's one-time costs (libuv's threadpool, OpenSSL's set-up) land in no row.
  await run('warm-up', 'jose', 1, 1)
  return {
    joseOneThread: await run('jose SignJWT, 1 thread, 1 in flight', 'jose', 1, 1),
    joseAllCores: await run(`jose SignJWT, ${cores} threads, 2 in flight each`, 'jose', cores, 2),
    cryptoOneThread: await run('node:crypto sign (sync), 1 thread', 'crypto', 1, 1),
    cryptoAllCores: await run(`node:crypto sign (sync), ${cores} threads`, 'crypto', cores, 1),
  }
}

async function measure(label: string, threads: number, data: SignWorkerData): Promise<SigningRow> {
  const workers = await Promise.all(Array.from({ length: threads }, () => startWorker(data)))
  try {
    const cpuBefore = process.cpuUsage()
    const started = performance.now()
    const counts = await Promise.all(workers.map((worker) => nextMessage<number>(worker, () => worker.postMessage('start'))))
    const elapsed = (performance.now() - started) / 1000
    const cpu = process.cpuUsage(cpuBefore)
    const total = counts.reduce((a, b) => a + b, 0)
    return { label, threads, opsPerSecond: total / elapsed, cpuMsPerOp: (cpu.user + cpu.system) / 1000 / total }
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()))
  }
}

/** A signing thread that has loaded its key and waits for 'start'. */
async function startWorker(data: SignWorkerData): Promise<Worker> {
  const worker = tsWorker(new URL('./sign-worker.ts', import.meta.url), { workerData: data })
  await nextMessage(worker, () => {})
  return worker
}

function nextMessage<T>(worker: Worker, send: () => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const fail = (error: Error) => reject(error)
    worker.once('error', fail)
    worker.once('message', (message: T) => {
      worker.off('error', fail)
      resolve(message)
    })
    send()
  })
}
