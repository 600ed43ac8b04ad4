import { spawn } from 'node:child_process'
import { openSync, closeSync, readFileSync } from 'node:fs'

// Every server the harness runs is a child process in a process group of its own, so that stopping it also
// stops what it started (cluster workers). All of them are stopped when the harness ends, however it ends.

export type Child = {
  name: string
  pid: number
  logFile: string
  /** Resolves with the exit code (or signal name) once the process has exited. */
  exited: Promise<number | string>
  hasExited(): boolean
  /** The end of what the process wrote to stdout and stderr. */
  logTail(chars?: number): string
  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves when the process has exited. */
  stop(graceMs?: number): Promise<void>
}

const running = new Set<Child>()

export type StartOptions = { env: NodeJS.ProcessEnv; logFile: string; cwd?: string }

export function startChild(name: string, command: string, args: string[], options: StartOptions): Child {
  const log = openSync(options.logFile, 'a')
  const proc = spawn(command, args, {
    env: options.env,
    cwd: options.cwd,
    stdio: ['ignore', log, log],
    detached: true,
  })
  closeSync(log)
  if (proc.pid === undefined) throw new Error(`${name}: could not start ${command}`)
  const pid = proc.pid
  let done = false
  const exited = new Promise<number | string>((resolve) => {
    proc.once('exit', (code, signal) => {
      done = true
      running.delete(child)
      resolve(code ?? signal ?? 'unknown')
    })
    proc.once('error', () => {
      done = true
      running.delete(child)
      resolve('spawn error')
    })
  })
  const child: Child = {
    name,
    pid,
    logFile: options.logFile,
    exited,
    hasExited: () => done,
    logTail(chars = 2000) {
      try {
        return readFileSync(options.logFile, 'utf8').slice(-chars)
      } catch {
        return ''
      }
    },
    async stop(graceMs = 5_000) {
      if (done) return
      signalGroup(pid, 'SIGTERM')
      const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), graceMs)
      await exited
      clearTimeout(timer)
      // Whatever the group leader left behind goes too.
      signalGroup(pid, 'SIGKILL')
    },
  }
  running.add(child)
  return child
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal)
  } catch {
    // Already gone.
  }
}

/** Stops every child still running. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((child) => child.stop(2_000)))
}

let hooked = false

/** Makes sure no child outlives the harness: on normal exit, on an uncaught error, on Ctrl-C. */
export function stopChildrenOnExit(): void {
  if (hooked) return
  hooked = true
  process.once('exit', () => {
    for (const child of running) signalGroup(child.pid, 'SIGKILL')
  })
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\nbench: ${signal}, stopping servers\n`)
      void stopAll().finally(() => process.exit(130))
    })
  }
}

/** Polls `url` until it answers 200, failing early if the child exits. */
export async function waitForHttp(child: Child, url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.hasExited()) throw new Error(`${child.name} exited before it was ready:\n${child.logTail()}`)
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1_000) })
      await res.arrayBuffer()
      if (res.ok) return
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`${child.name} was not ready at ${url} after ${timeoutMs} ms:\n${child.logTail()}`)
}
