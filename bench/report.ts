import type { LoadRow } from './load.ts'
import type { Machine } from './machine.ts'
import type { ProfileSummary } from './profile.ts'
import type { SigningCeiling, SigningRow } from './signing.ts'

// The run's results as markdown: printed at the end of `npm run bench` and written into BENCHMARKS.md.

export type Row = { name: string; server: string; load: LoadRow | undefined; note?: string }

/** Two configurations of Keymint measured in alternation (A B A B …) on the same row. */
export type Comparison = { title: string; a: string; b: string; runs: { label: string; load: LoadRow }[]; note?: string }

export type Results = {
  startedAt: string
  minutes: number
  command: string
  machine: Machine
  loadAverageAtEnd: string
  storage: string
  keymintSettings: string
  loadSettings: string
  signing: SigningCeiling
  rows: Row[]
  memory: { label: string; beforeBytes: number; afterBytes: number; seconds: number } | undefined
  comparisons: Comparison[]
  skipped: string[]
  profile: (ProfileSummary & { tokens: number; mainThreadMsPerToken: number; processCpuMsPerToken: number }) | undefined
}

export type Target = { ratio: string; measured: number | undefined; target: string; holds: boolean | undefined; detail: string }

const n0 = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '—')
const n2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '—')
const n3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '—')

export function find(results: Results, name: string): LoadRow | undefined {
  return results.rows.find((row) => row.name === name)?.load
}

/** The ratios the issue sets targets for, computed from this run's rows alone. */
export function targets(results: Results): Target[] {
  const sign = results.signing.joseOneThread
  const k1 = find(results, 'keymint client_credentials @1')
  const k64 = find(results, 'keymint client_credentials @64')
  const o64 = find(results, 'oidc-provider client_credentials @64')
  const kj = find(results, 'keymint JWKS @64')
  const bj = find(results, 'bare Fastify static JSON @64')
  const oj = find(results, 'oidc-provider JWKS @64')
  const out: Target[] = []
  const add = (ratio: string, measured: number | undefined, target: string, test: (x: number) => boolean, detail: string) =>
    out.push({ ratio, measured, target, holds: measured === undefined || !Number.isFinite(measured) ? undefined : test(measured), detail })
  if (k64) {
    const ratio = k64.serverCpuMsPerRequest / sign.cpuMsPerOp
    add('client_credentials efficiency @64 (one jose signature ÷ Keymint CPU per token)', 1 / ratio, '≥ 0.85 (CPU ratio ≤ 1.18)', (x) => x >= 0.85,
      `${n3(k64.serverCpuMsPerRequest)} ms per token ÷ ${n3(sign.cpuMsPerOp)} ms per signature = ${n2(ratio)}`)
  }
  if (k1) {
    const ratio = k1.serverCpuMsPerRequest / sign.cpuMsPerOp
    add('client_credentials efficiency @1', 1 / ratio, '(for reference)', () => true, `${n3(k1.serverCpuMsPerRequest)} ms per token, CPU ratio ${n2(ratio)}`)
  }
  const errors = results.rows.reduce((sum, row) => sum + (row.load?.errors ?? 0), 0)
  add('errors, all rows', errors, '0', (x) => x === 0, 'non-200s, socket errors and tokens that failed verification')
  if (k1) add('Keymint p99 latency @1 (ms)', k1.latencyP99Ms, '< 5', (x) => x < 5, `p50 ${k1.latencyP50Ms} ms`)
  if (k64) {
    add('Keymint throughput @64 ÷ signing ceiling (jose, all cores)', k64.requestsPerSecond / results.signing.joseAllCores.opsPerSecond, '(for reference)', () => true,
      `${n0(k64.requestsPerSecond)} ÷ ${n0(results.signing.joseAllCores.opsPerSecond)}`)
  }
  if (k64 && o64) {
    add('p99 @64, Keymint ÷ oidc-provider', k64.latencyP99Ms / o64.latencyP99Ms, '≤ 0.7', (x) => x <= 0.7, `${k64.latencyP99Ms} ms ÷ ${o64.latencyP99Ms} ms`)
    add('throughput @64, Keymint ÷ oidc-provider', k64.requestsPerSecond / o64.requestsPerSecond, '≥ 1.5', (x) => x >= 1.5,
      `${n0(k64.requestsPerSecond)} ÷ ${n0(o64.requestsPerSecond)} req/s; CPU per token ${n3(k64.serverCpuMsPerRequest)} vs ${n3(o64.serverCpuMsPerRequest)} ms`)
  }
  if (kj && bj) add('JWKS ÷ bare Fastify', kj.requestsPerSecond / bj.requestsPerSecond, '≥ 0.9', (x) => x >= 0.9, `${n0(kj.requestsPerSecond)} ÷ ${n0(bj.requestsPerSecond)} req/s`)
  if (kj && oj) add('JWKS ÷ oidc-provider JWKS', kj.requestsPerSecond / oj.requestsPerSecond, '≥ 2', (x) => x >= 2, `${n0(kj.requestsPerSecond)} ÷ ${n0(oj.requestsPerSecond)} req/s`)
  if (results.memory) {
    const growth = (100 * (results.memory.afterBytes - results.memory.beforeBytes)) / results.memory.beforeBytes
    add(`RSS growth over ${results.memory.label} (%)`, growth, '< 10', (x) => x < 10,
      `${n0(results.memory.beforeBytes / 2 ** 20)} → ${n0(results.memory.afterBytes / 2 ** 20)} MiB`)
  }
  return out
}

export function toMarkdown(results: Results): string {
  const lines: string[] = []
  const { machine } = results
  lines.push(`### Run of ${results.startedAt} (${n2(results.minutes)} min)`, '')
  lines.push(`- Command: \`${results.command}\``)
  lines.push(`- Machine: ${machine.cores} cores, ${machine.cpuModel}, ${machine.memoryGiB} GiB; Node ${machine.node}, OpenSSL ${machine.openssl}`)
  lines.push(`- Load average (1/5/15 min): ${machine.loadAverage} at the start, ${results.loadAverageAtEnd} at the end`)
  lines.push(`- Storage: ${results.storage}`)
  lines.push(`- Keymint: ${results.keymintSettings}`)
  lines.push(`- Load: ${results.loadSettings}`)
  lines.push('')
  lines.push('#### Signing ceiling: jose RS256-2048 over Keymint\'s access-token claims', '')
  lines.push('| signer | signatures/s | CPU ms per signature |', '|---|---:|---:|')
  for (const row of Object.values(results.signing) as SigningRow[]) lines.push(`| ${row.label} | ${n0(row.opsPerSecond)} | ${n3(row.cpuMsPerOp)} |`)
  lines.push('')
  lines.push('#### Endpoints', '')
  lines.push('| row | req/s | p50 ms | p99 ms | max ms | errors | verified | server CPU ms/req |', '|---|---:|---:|---:|---:|---:|---:|---:|')
  for (const row of results.rows) {
    const l = row.load
    if (l === undefined) {
      lines.push(`| ${row.name} | ${row.note ?? 'n/a'} | | | | | | |`)
      continue
    }
    const statuses = Object.entries(l.statusCodes).filter(([code]) => code !== '200').map(([code, count]) => `${count}×${code}`)
    const errors = l.errors === 0 ? '0' : `**${l.errors}** (${[...statuses, l.socketErrors ? `${l.socketErrors} socket` : '', l.check.failed ? `${l.check.failed} bad: ${l.check.firstFailure ?? ''}` : ''].filter(Boolean).join(', ')})`
    lines.push(`| ${row.name} | ${n0(l.requestsPerSecond)} | ${l.latencyP50Ms} | ${l.latencyP99Ms} | ${l.latencyMaxMs} | ${errors} | ${l.check.verified} | ${n3(l.serverCpuMsPerRequest)} |`)
  }
  lines.push('')
  lines.push('#### Ratios (this run only) and targets', '')
  lines.push('| ratio | measured | target | holds | detail |', '|---|---:|---|---|---|')
  for (const t of targets(results)) {
    const holds = t.holds === undefined ? '—' : t.target.startsWith('(') ? '' : t.holds ? 'yes' : '**no**'
    lines.push(`| ${t.ratio} | ${t.measured === undefined ? '—' : n2(t.measured)} | ${t.target} | ${holds} | ${t.detail} |`)
  }
  for (const comparison of results.comparisons) {
    lines.push('', `#### ${comparison.title}`, '')
    lines.push('| run | req/s | p50 ms | p99 ms | errors | server CPU ms/req |', '|---|---:|---:|---:|---:|---:|')
    for (const run of comparison.runs) {
      const l = run.load
      lines.push(`| ${run.label} | ${n0(l.requestsPerSecond)} | ${l.latencyP50Ms} | ${l.latencyP99Ms} | ${l.errors} | ${n3(l.serverCpuMsPerRequest)} |`)
    }
    const mean = (label: string, pick: (l: LoadRow) => number) => {
      const values = comparison.runs.filter((r) => r.label.startsWith(label)).map((r) => pick(r.load))
      return values.reduce((a, b) => a + b, 0) / values.length
    }
    for (const [what, pick] of [['req/s', (l: LoadRow) => l.requestsPerSecond], ['CPU ms/req', (l: LoadRow) => l.serverCpuMsPerRequest]] as const) {
      const rowsA = new Set(comparison.runs.filter((r) => r.label.startsWith(comparison.a)).map((r) => r.label.slice(comparison.a.length)))
      for (const suffix of rowsA) {
        const a = mean(comparison.a + suffix, pick)
        const b = mean(comparison.b + suffix, pick)
        lines.push(`| **mean ${what}${suffix}: ${comparison.b} ÷ ${comparison.a}** | ${n2(b / a)} | | | | |`)
      }
    }
    if (comparison.note) lines.push('', comparison.note)
  }
  if (results.profile) {
    const p = results.profile
    lines.push('', '#### Profile: the issuer\'s main thread under load (`node --cpu-prof`, client_credentials @64)', '')
    lines.push(`${n0(p.tokens)} tokens in ${n2(p.wallMs / 1000)} s of profile; main thread busy ${n0(p.busyMs)} ms = ${n3(p.mainThreadMsPerToken)} ms per token ` +
      `of the process's ${n3(p.processCpuMsPerToken)} ms CPU per token (the rest is the RSA signature on libuv's threadpool, GC and other threads).`, '')
    lines.push('| area (self time) | ms | % of busy |', '|---|---:|---:|')
    for (const a of p.areas.slice(0, 12)) lines.push(`| ${a.name} | ${n0(a.selfMs)} | ${a.percent.toFixed(1)} |`)
    lines.push('', '| function (self time) | where | % of busy |', '|---|---|---:|')
    for (const f of p.functions) lines.push(`| ${f.name} | ${f.where} | ${f.percent.toFixed(1)} |`)
  }
  if (results.skipped.length > 0) lines.push('', ...results.skipped.map((s) => `- Not run: ${s}`))
  return lines.join('\n')
}
