import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import type { Test } from 'tap'

// The issuer and the `keymint` command as separate processes, exactly as an operator runs them.

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url))
const KEYMINT = fileURLToPath(new URL('../../bin/keymint.mjs', import.meta.url))

/** The parent's environment without any storage settings, so the child sees only what the test gives it. */
export function cleanEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const { DATABASE_URL: _db, REDIS_URL: _redis, ISSUER: _issuer, PORT: _port, ...rest } = process.env
  return { ...rest, ...env }
}

export type IssuerProcess = { child: ChildProcess; ready: Record<string, unknown>; stop(): Promise<number | null> }

/** Starts `main.ts` and resolves once it logs that it is ready (or rejects with what it printed if it exits). */
export async function startIssuerProcess(t: Test, env: Record<string, string>): Promise<IssuerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode
    child.kill('SIGTERM')
    const [code] = (await once(child, 'exit')) as [number | null]
    return code
  }
  t.teardown(stop)
  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! })
    lines.on('line', (line) => {
      const entry = safeJson(line)
      if (entry?.msg === 'keymint issuer ready') resolve(entry)
    })
    child.once('exit', (code) => reject(new Error(`issuer exited with ${code}: ${stderr}`)))
  })
  return { child, ready, stop }
}

export type CommandResult = { code: number; stdout: string; stderr: string }

/** Runs the `keymint` command with the given arguments, standard input and environment. */
export function runKeymint(args: string[], env: Record<string, string>, input?: string): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [KEYMINT, ...args], { env: cleanEnv(env) }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr })
    })
    child.stdin?.end(input ?? '')
  })
}

/** Runs `main.ts` to completion (for start-up failures). */
export function runIssuerToExit(env: Record<string, string>): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', MAIN], { env: cleanEnv(env) }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr })
    })
  })
}

function safeJson(line: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(line) as Record<string, unknown>
  } catch {
    return undefined
  }
}
