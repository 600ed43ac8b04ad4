import autocannon, { type Request, type Result } from 'autocannon'
import type { CheckCounts, ResponseCheck } from './checks.ts'
import { treeCpu } from './proc.ts'

// One row of load: autocannon (in this process) against a server in another process, for a fixed time,
// with every response checked, and the server's own CPU time (its whole process tree) read around the run.

export type Target = {
  /** Base URL; the harness only ever targets 127.0.0.1. */
  url: string
  method: 'GET' | 'POST'
  path: string
  headers?: Record<string, string>
  body?: string
  /** Builds the check for one run (counts start at zero each time). */
  check: () => ResponseCheck
  /** The server's process id, for its CPU time. */
  pid: number
  /** Runs before the warm-up and again before the measured run (e.g. to top up a pool of refresh tokens). */
  prepare?: () => Promise<void>
  /** The body of each request, when it changes from one to the next (e.g. the refresh token to present). */
  nextBody?: () => string
  /** Sees every response, warm-up included (e.g. to keep the refresh token that came back). */
  observe?: (status: number, body: string) => void
}

export type LoadOptions = { connections: number; seconds: number; warmupSeconds: number }

export type LoadRow = {
  connections: number
  seconds: number
  responses: number
  requestsPerSecond: number
  latencyP50Ms: number
  latencyP99Ms: number
  latencyMaxMs: number
  /** Non-200 responses, socket errors and timeouts, and 200s that failed the check, added up. */
  errors: number
  statusCodes: Record<string, number>
  socketErrors: number
  check: CheckCounts
  /** The server process tree's CPU time per response, in ms. */
  serverCpuMsPerRequest: number
  /** The part of it on the servers' main threads (the JavaScript); the rest is the threadpool and V8's helpers. */
  serverMainThreadMsPerRequest: number
}

export async function runLoad(target: Target, options: LoadOptions): Promise<LoadRow> {
  if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(target.url)) throw new Error(`load runs target 127.0.0.1 only, not ${target.url}`)
  const { nextBody, observe } = target
  const request: Request = {
    method: target.method,
    path: target.path,
    headers: target.headers ?? {},
    ...(target.body === undefined ? {} : { body: target.body }),
    ...(nextBody === undefined ? {} : { setupRequest: (req) => ({ ...req, body: nextBody() }) }),
  }
  if (options.warmupSeconds > 0) {
    await target.prepare?.()
    await autocannon({
      url: target.url,
      connections: options.connections,
      duration: options.warmupSeconds,
      requests: [{ ...request, ...(observe === undefined ? {} : { onResponse: (status, body) => observe(status, body) }) }],
    })
  }
  await target.prepare?.()
  const check = target.check()
  const cpuBefore = treeCpu(target.pid)
  const result: Result = await autocannon({
    url: target.url,
    connections: options.connections,
    duration: options.seconds,
    requests: [
      {
        ...request,
        onResponse: (status, body) => {
          observe?.(status, body)
          check.onResponse(status, body)
        },
      },
    ],
  })
  const cpuAfter = treeCpu(target.pid)
  const cpuMs = cpuAfter.totalMs - cpuBefore.totalMs
  const mainMs = cpuAfter.mainThreadMs - cpuBefore.mainThreadMs
  const counts = await check.settle()
  const statusCodes: Record<string, number> = {}
  let responses = 0
  for (const [code, { count }] of Object.entries(result.statusCodeStats)) {
    statusCodes[code] = count
    responses += count
  }
  const non200 = responses - (statusCodes['200'] ?? 0)
  // autocannon counts timeouts among its errors.
  const socketErrors = result.errors
  return {
    connections: options.connections,
    seconds: result.duration,
    responses,
    requestsPerSecond: responses / result.duration,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    latencyMaxMs: result.latency.max,
    errors: non200 + socketErrors + counts.failed,
    statusCodes,
    socketErrors,
    check: counts,
    serverCpuMsPerRequest: responses === 0 ? Number.NaN : cpuMs / responses,
    serverMainThreadMsPerRequest: responses === 0 ? Number.NaN : mainMs / responses,
  }
}
