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
  memory: { label: string; beforeBytes: number; afterBytes: number; maxBytes: number; seconds: number } | undefined
  /** Connections of the loaded rows. */
  connections: number
  comparisons: Comparison[]
  skipped: string[]
  profile: (ProfileSummary & { tokens: number; mainThreadCpuMsPerToken: number; processCpuMsPerToken: number }) | undefined
}

export type Target = { ratio: string; measured: number | undefined; target: string; holds: boolean | undefined; detail: string }

const n0 = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '—')
const n2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '—')
const n3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '—')

function find(results: Results, name: string): LoadRow | undefined {
  return results.rows.find((row) => row.name === name)?.load
}

/** The ratios Keymint has targets for (and a few for reference), computed from this run's rows alone. */
export function targets(results: Results): Target[] {
  const sign = results.signing.joseOneThread
  const native = results.signing.cryptoOneThread
  const C = results.connections
  const k1 = find(results, 'keymint client_credentials @1')
  const k64 = find(results, `keymint client_credentials @${C}`)
  const o64 = find(results, `oidc-provider client_credentials @${C}`)
  const kj = find(results, `keymint JWKS @${C}`)
  const bj = find(results, `bare Fastify static JSON @${C}`)
  const oj = find(results, `oidc-provider JWKS @${C}`)
  const out: Target[] = []
  const add = (ratio: string, measured: number | undefined, target: string, test: (x: number) => boolean, detail: string) =>
    out.push({ ratio, measured, target, holds: measured === undefined || !Number.isFinite(measured) ? undefined : test(measured), detail })
  if (k64) {
    const ratio = k64.serverCpuMsPerRequest / sign.cpuMsPerOp
    add(`client_credentials efficiency @${C} (one jose signature ÷ Keymint CPU per token)`, 1 / ratio, '≥ 0.85 (CPU ratio ≤ 1.18)', (x) => x >= 0.85,
      `${n3(k64.serverCpuMsPerRequest)} ms per token ÷ ${n3(sign.cpuMsPerOp)} ms per signature = ${n2(ratio)}`)
    add(`client_credentials efficiency @${C} against node:crypto's synchronous sign (stricter)`, native.cpuMsPerOp / k64.serverCpuMsPerRequest, '(for reference)', () => true,
      `${n3(native.cpuMsPerOp)} ms per signature ÷ ${n3(k64.serverCpuMsPerRequest)} ms per token; main thread ${n3(k64.serverMainThreadMsPerRequest)} ms per token`)
  }
  if (k1) {
    const ratio = k1.serverCpuMsPerRequest / sign.cpuMsPerOp
    add('client_credentials efficiency @1', 1 / ratio, '(for reference)', () => true, `${n3(k1.serverCpuMsPerRequest)} ms per token, CPU ratio ${n2(ratio)}`)
  }
  const errors = results.rows.reduce((sum, row) => sum + (row.load?.errors ?? 0), 0)
  add('errors, all rows', errors, '0', (x) => x === 0, 'non-200s, socket errors and tokens that failed verification')
  if (k1) add('Keymint p99 latency @1 (ms)', k1.latencyP99Ms, '< 5', (x) => x < 5, `p50 ${k1.latencyP50Ms} ms`)
  if (k64) {
    add(`Keymint throughput @${C} ÷ signing ceiling (jose, all cores)`, k64.requestsPerSecond / results.signing.joseAllCores.opsPerSecond, '(for reference)', () => true,
      `${n0(k64.requestsPerSecond)} ÷ ${n0(results.signing.joseAllCores.opsPerSecond)}`)
  }
  if (k64 && o64) {
    add(`p99 @${C}, Keymint ÷ oidc-provider`, k64.latencyP99Ms / o64.latencyP99Ms, '≤ 0.7', (x) => x <= 0.7, `${k64.latencyP99Ms} ms ÷ ${o64.latencyP99Ms} ms`)
    add(`throughput @${C}, Keymint ÷ oidc-provider`, k64.requestsPerSecond / o64.requestsPerSecond, '≥ 1.5', (x) => x >= 1.5,
      `${n0(k64.requestsPerSecond)} ÷ ${n0(o64.requestsPerSecond)} req/s; CPU per token ${n3(k64.serverCpuMsPerRequest)} vs ${n3(o64.serverCpuMsPerRequest)} ms`)
    add(`CPU per token @${C}, oidc-provider ÷ Keymint`, o64.serverCpuMsPerRequest / k64.serverCpuMsPerRequest, '(for reference: throughput on an idle machine)', () => true,
      `${n3(o64.serverCpuMsPerRequest)} ÷ ${n3(k64.serverCpuMsPerRequest)} ms`)
  }
  if (kj && bj) add('CPU per request, bare Fastify ÷ Keymint JWKS', bj.serverCpuMsPerRequest / kj.serverCpuMsPerRequest, '(for reference)', () => true, `${n3(bj.serverCpuMsPerRequest)} ÷ ${n3(kj.serverCpuMsPerRequest)} ms`)
  if (kj && oj) add('CPU per request, oidc-provider JWKS ÷ Keymint JWKS', oj.serverCpuMsPerRequest / kj.serverCpuMsPerRequest, '(for reference)', () => true, `${n3(oj.serverCpuMsPerRequest)} ÷ ${n3(kj.serverCpuMsPerRequest)} ms`)
  if (kj && bj) add('JWKS ÷ bare Fastify', kj.requestsPerSecond / bj.requestsPerSecond, '≥ 0.9', (x) => x >= 0.9, `${n0(kj.requestsPerSecond)} ÷ ${n0(bj.requestsPerSecond)} req/s`)
  if (kj && oj) add('JWKS ÷ oidc-provider JWKS', kj.requestsPerSecond / oj.requestsPerSecond, '≥ 2', (x) => x >= 2, `${n0(kj.requestsPerSecond)} ÷ ${n0(oj.requestsPerSecond)} req/s`)
  if (results.memory) {
    const growth = (100 * (results.memory.afterBytes - results.memory.beforeBytes)) / results.memory.beforeBytes
    add(`RSS growth over ${results.memory.label} (%)`, growth, '< 10', (x) => x < 10,
      `${n0(results.memory.beforeBytes / 2 ** 20)} → ${n0(results.memory.afterBytes / 2 ** 20)} MiB (peak ${n0(results.memory.maxBytes / 2 ** 20)} MiB), issuer process tree`)
  }
  return out
}

export function toMarkdown(results: Results): string {
  const lines: string[] = []
  const C = results.connections
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
  lines.push('| row | req/s | p50 ms | p99 ms | max ms | errors | verified | server CPU ms/req | of it main thread |', '|---|---:|---:|---:|---:|---:|---:|---:|---:|')
  for (const row of results.rows) {
    const l = row.load
    if (l === undefined) {
      lines.push(`| ${row.name} | ${row.note ?? 'n/a'} | | | | | | | |`)
      continue
    }
    const statuses = Object.entries(l.statusCodes).filter(([code]) => code !== '200').map(([code, count]) => `${count}×${code}`)
    const errors = l.errors === 0 ? '0' : `**${l.errors}** (${[...statuses, l.socketErrors ? `${l.socketErrors} socket` : '', l.check.failed ? `${l.check.failed} bad: ${l.check.firstFailure ?? ''}` : ''].filter(Boolean).join(', ')})`
    lines.push(`| ${row.name} | ${n0(l.requestsPerSecond)} | ${l.latencyP50Ms} | ${l.latencyP99Ms} | ${l.latencyMaxMs} | ${errors} | ${l.check.verified} | ${n3(l.serverCpuMsPerRequest)} | ${n3(l.serverMainThreadMsPerRequest)} |`)
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
    lines.push('| run | req/s | p50 ms | p99 ms | errors | server CPU ms/req | of it main thread |', '|---|---:|---:|---:|---:|---:|---:|')
    for (const run of comparison.runs) {
      const l = run.load
      lines.push(`| ${run.label} | ${n0(l.requestsPerSecond)} | ${l.latencyP50Ms} | ${l.latencyP99Ms} | ${l.errors} | ${n3(l.serverCpuMsPerRequest)} | ${n3(l.serverMainThreadMsPerRequest)} |`)
    }
    const mean = (label: string, pick: (l: LoadRow) => number) => {
      const values = comparison.runs.filter((r) => r.label.startsWith(label)).map((r) => pick(r.load))
      return values.reduce((a, b) => a + b, 0) / values.length
    }
    const rowsA = new Set(comparison.runs.filter((r) => r.label.startsWith(comparison.a)).map((r) => r.label.slice(comparison.a.length)))
    for (const [what, pick] of [['req/s', (l: LoadRow) => l.requestsPerSecond], ['CPU ms/req', (l: LoadRow) => l.serverCpuMsPerRequest]] as const) {
      for (const suffix of rowsA) {
        const a = mean(comparison.a + suffix, pick)
        const b = mean(comparison.b + suffix, pick)
        lines.push(`| **mean ${what}${suffix}: ${comparison.b} ÷ ${comparison.a}** | ${n2(b / a)} | | | | | |`)
      }
    }
    if (comparison.note) lines.push('', comparison.note)
  }
  if (results.profile) {
    const p = results.profile
    lines.push('', `#### Profile: the issuer's main thread under load (\`node --cpu-prof\`, client_credentials @${C})`, '')
    lines.push(`${n0(p.tokens)} tokens in ${n2(p.wallMs / 1000)} s of profile. From /proc: ${n3(p.processCpuMsPerToken)} ms CPU per token for the issuer, ` +
      `${n3(p.mainThreadCpuMsPerToken)} ms of it on the main thread (JavaScript) and the rest on other threads (the RSA signature on libuv's threadpool, ` +
      'V8\'s GC and compiler threads). V8 samples the main thread by wall clock, so a thread waiting for a core (two cores, shared with the load ' +
      'generator and the signing threads) is charged to whatever it was running: the shares below say where the main thread is, ' +
      'and the ms column spreads its /proc CPU time over them.', '')
    const ms = (percent: number) => n3((percent / 100) * p.mainThreadCpuMsPerToken)
    lines.push('| area (self time) | % of busy samples | ≈ main-thread CPU ms per token |', '|---|---:|---:|')
    for (const a of p.areas.slice(0, 12)) lines.push(`| ${a.name} | ${a.percent.toFixed(1)} | ${ms(a.percent)} |`)
    lines.push('', '| function (self time) | where | % of busy samples |', '|---|---|---:|')
    for (const f of p.functions) lines.push(`| ${f.name} | ${f.where} | ${f.percent.toFixed(1)} |`)
  }
  if (results.skipped.length > 0) lines.push('', ...results.skipped.map((s) => `- Not run: ${s}`))
  return lines.join('\n')
}
