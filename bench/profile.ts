import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'

// Where the issuer's main thread spends its time: a `node --cpu-prof` profile taken under load, reduced to
// self time per function and per package. The RSA signature itself runs on libuv's threadpool, so it is not
// in this profile: what is here is everything around it.

type ProfileNode = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
type CpuProfile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

export type ProfileLine = { name: string; where: string; selfMs: number; percent: number }

export type ProfileSummary = {
  file: string
  wallMs: number
  /** Time the main thread was not idle. */
  busyMs: number
  /** Self time by function, biggest first, as a share of busy time. */
  functions: ProfileLine[]
  /** Self time by package (node core, fastify, pino, jose, keymint, GC...), as a share of busy time. */
  areas: ProfileLine[]
}

/** Microseconds on the monotonic clock that V8's profiles use (CLOCK_MONOTONIC on Linux, shared by processes). */
export function monotonicMicros(): number {
  return Number(process.hrtime.bigint() / 1000n)
}

/**
 * Reads the main thread's profile in `dir` (CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile, thread 0; tsx's
 * loader thread writes one too), keeping only the samples inside `window` (monotonic µs).
 */
export async function summarizeProfileDir(dir: string, window: { from: number; to: number }, top = 15): Promise<ProfileSummary> {
  const file = (await readdir(dir)).filter((f) => /\.\d+\.0\.\d+\.cpuprofile$/.test(f)).sort().at(-1)
  if (file === undefined) throw new Error(`no main-thread .cpuprofile in ${dir}`)
  return summarizeProfile(join(dir, file), JSON.parse(await readFile(join(dir, file), 'utf8')) as CpuProfile, window, top)
}

export function summarizeProfile(file: string, profile: CpuProfile, window: { from: number; to: number }, top: number): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const selfUs = new Map<number, number>()
  // timeDeltas[i] is the time since the previous sample: it belongs to the previous sample's node.
  let at = profile.startTime + (profile.timeDeltas[0] ?? 0)
  let first = Number.POSITIVE_INFINITY
  let last = 0
  for (let i = 1; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0
    at += delta
    if (at < window.from || at > window.to) continue
    first = Math.min(first, at)
    last = Math.max(last, at)
    const id = profile.samples[i - 1] as number
    selfUs.set(id, (selfUs.get(id) ?? 0) + delta)
  }
  const functions = new Map<string, { name: string; where: string; us: number }>()
  const areas = new Map<string, number>()
  let idleUs = 0
  let totalUs = 0
  for (const [id, us] of selfUs) {
    const frame = (byId.get(id) as ProfileNode).callFrame
    totalUs += us
    if (frame.functionName === '(idle)') {
      idleUs += us
      continue
    }
    const where = location(frame.url, frame.lineNumber)
    const key = `${frame.functionName}@${where}`
    const entry = functions.get(key) ?? { name: frame.functionName || '(anonymous)', where, us: 0 }
    entry.us += us
    functions.set(key, entry)
    const area = areaOf(frame.functionName, frame.url)
    areas.set(area, (areas.get(area) ?? 0) + us)
  }
  const busyUs = totalUs - idleUs
  const line = (name: string, where: string, us: number): ProfileLine => ({
    name,
    where,
    selfMs: us / 1000,
    percent: busyUs === 0 ? 0 : (100 * us) / busyUs,
  })
  return {
    file,
    wallMs: last > first ? (last - first) / 1000 : 0,
    busyMs: busyUs / 1000,
    functions: [...functions.values()].sort((a, b) => b.us - a.us).slice(0, top).map((f) => line(f.name, f.where, f.us)),
    areas: [...areas.entries()].sort((a, b) => b[1] - a[1]).map(([area, us]) => line(area, '', us)),
  }
}

function location(url: string, line: number): string {
  if (url === '') return ''
  const modules = url.lastIndexOf('/node_modules/')
  const short = modules >= 0 ? url.slice(modules + 14) : url.replace(/^file:\/\/.*\/apps\//, 'apps/')
  return `${short}:${line + 1}`
}

function areaOf(functionName: string, url: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : 'native'
  if (url.startsWith('node:')) return 'node core'
  const modules = url.lastIndexOf('/node_modules/')
  if (modules >= 0) {
    const [scope, name] = url.slice(modules + 14).split('/')
    return scope?.startsWith('@') ? `${scope}/${name}` : (scope ?? 'node_modules')
  }
  if (url.includes('/apps/issuer/src/')) return 'keymint (apps/issuer/src)'
  return 'other'
}
