import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import type { JSONWebKeySet } from 'jose'
import { ConfigSchema } from '../apps/issuer/src/config.ts'
import { createBenchDatabase, redact, type BenchDatabase } from './database.ts'
import { startKeymint, ROOT, type Keymint, type Storage } from './keymint.ts'
import { runLoad, type LoadRow, type Target } from './load.ts'
import { describeMachine, loadAverage } from './machine.ts'
import { startBareFastify, startOidcProvider, type OidcProviderPeer, type Peer } from './peers.ts'
import { treeRssBytes } from './proc.ts'
import { monotonicMicros, summarizeProfileDir } from './profile.ts'
import { stopAll, stopChildrenOnExit } from './processes.ts'
import { targets, toMarkdown, type Comparison, type Results, type Row } from './report.ts'
import { refreshTarget } from './refresh-tokens.ts'
import { measureSigningCeiling } from './signing.ts'
import { introspectionTarget, send, staticTarget, tokenTarget } from './targets.ts'

// `npm run bench`: the signing ceiling, Keymint's endpoints over real HTTP (the issuer in a child process,
// autocannon here), the bare Fastify ceiling and oidc-provider, in one run, with every response checked.

const USAGE = `usage: npm run bench [-- options]

  --duration S          seconds per measured row (default 10; env BENCH_SECONDS)
  --warmup S            warm-up seconds before each row (default 2; env BENCH_WARMUP_SECONDS)
  --connections N       connections of the loaded rows (default 64)
  --soak-seconds S      length of the memory soak run (default 60; 0 skips it; env BENCH_SOAK_SECONDS)
  --variant-seconds S   seconds per run of the A/B comparisons (default 5)
  --quick               a smoke run in about a minute: 2 s rows, 1 s warm-up, a 10 s soak, no comparisons
  --profile             add a run under node --cpu-prof and summarize the issuer's main thread
  --skip-compare        skip the LOG_LEVEL=warn and node:cluster comparisons
  --skip-oidc           skip oidc-provider
  --reuse-database      run on DATABASE_URL's database as given, not a fresh keymint_bench_<random>
  --sample-every N      verify every N-th token in full with jose (default 50)
  --no-write            print only; leave BENCHMARKS.md alone (--quick implies it)

Keymint runs on PostgreSQL and Redis when DATABASE_URL and REDIS_URL are set, else on the embedded default.`

export type Options = {
  duration: number
  warmup: number
  connections: number
  soakSeconds: number
  variantSeconds: number
  quick: boolean
  profile: boolean
  compare: boolean
  oidc: boolean
  reuseDatabase: boolean
  sampleEvery: number
  write: boolean
}

function parseOptions(argv: string[], env: NodeJS.ProcessEnv): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string', default: '64' },
      'soak-seconds': { type: 'string' },
      'variant-seconds': { type: 'string', default: '5' },
      quick: { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      'skip-compare': { type: 'boolean', default: false },
      'skip-oidc': { type: 'boolean', default: false },
      'reuse-database': { type: 'boolean', default: false },
      'sample-every': { type: 'string', default: '50' },
      'no-write': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help) {
    process.stdout.write(`${USAGE}\n`)
    process.exit(0)
  }
  const number = (name: string, value: string, min: number) => {
    const n = Number(value)
    if (!Number.isFinite(n) || n < min) throw new Error(`${name} must be a number ≥ ${min}`)
    return n
  }
  const quick = values.quick
  const setting = (flag: string, variable: string, fallback: string, quickValue: string, min: number) => {
    const given = (values as Record<string, string | boolean | undefined>)[flag]
    if (typeof given === 'string') return number(`--${flag}`, given, min)
    if (env[variable] !== undefined && env[variable] !== '') return number(variable, env[variable], min)
    return number(`--${flag}`, quick ? quickValue : fallback, min)
  }
  return {
    duration: setting('duration', 'BENCH_SECONDS', '10', '2', 1),
    warmup: setting('warmup', 'BENCH_WARMUP_SECONDS', '2', '1', 0),
    connections: number('--connections', values.connections, 1),
    soakSeconds: setting('soak-seconds', 'BENCH_SOAK_SECONDS', '60', '10', 0),
    variantSeconds: number('--variant-seconds', values['variant-seconds'], 1),
    quick,
    profile: values.profile,
    compare: !values['skip-compare'] && !quick,
    oidc: !values['skip-oidc'],
    reuseDatabase: values['reuse-database'],
    sampleEvery: number('--sample-every', values['sample-every'], 1),
    write: !values['no-write'] && !quick,
  }
}

const log = (line: string) => process.stderr.write(`${line}\n`)

function summary(l: LoadRow): string {
  return `  ${Math.round(l.requestsPerSecond)} req/s, p50 ${l.latencyP50Ms} ms, p99 ${l.latencyP99Ms} ms, errors ${l.errors}` +
    `${l.check.firstFailure ? ` (${l.check.firstFailure})` : ''}, verified ${l.check.verified}, ` +
    `server CPU ${l.serverCpuMsPerRequest.toFixed(3)} ms/req (main thread ${l.serverMainThreadMsPerRequest.toFixed(3)})`
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2), process.env)
  stopChildrenOnExit()
  const started = Date.now()
  const machine = describeMachine()
  const work = await mkdtemp(join(tmpdir(), 'keymint-bench-'))
  let database: BenchDatabase | undefined
  let results: Results
  try {
    log(`bench: ${machine.cores} cores, ${machine.cpuModel}, Node ${machine.node}, OpenSSL ${machine.openssl}, load ${machine.loadAverage}`)
    log(`bench: about ${Math.ceil(estimateSeconds(options) / 60)} min (${options.duration} s per row, a ${options.soakSeconds} s soak${options.compare ? ', comparisons' : ''}${options.profile ? ', a profile' : ''})`)
    const { storage, description, created } = await chooseStorage(options, work)
    database = created
    log(`bench: storage ${description}`)

    log('bench: signing ceiling (jose RS256)')
    const signing = await measureSigningCeiling(Math.min(3, options.duration))
    for (const row of Object.values(signing)) log(`  ${row.label}: ${Math.round(row.opsPerSecond)}/s, ${row.cpuMsPerOp.toFixed(3)} ms CPU each`)

    const scenario = await runScenario(options, storage, work)
    results = {
      startedAt: new Date(started).toISOString().replace(/\.\d+Z$/, 'Z'),
      minutes: (Date.now() - started) / 60_000,
      command: commandLine(),
      machine,
      loadAverageAtEnd: loadAverage(),
      storage: description,
      keymintSettings: `\`apps/issuer/src/main.ts\` in one process (RSA signatures on libuv's threadpool, UV_THREADPOOL_SIZE ${process.env.UV_THREADPOOL_SIZE ?? '4 (default)'}), LOG_LEVEL ${defaultOf('LOG_LEVEL')} and CLIENT_CACHE_SECONDS ${defaultOf('CLIENT_CACHE_SECONDS')} (defaults), RSA 2048`,
      loadSettings:
        `autocannon 8 in the harness process, ${options.duration} s per row after ${options.warmup} s of warm-up, 127.0.0.1 only; ` +
        `every response's status and body checked, every ${options.sampleEvery}th token verified with jose against the server's JWKS`,
      signing,
      connections: options.connections,
      ...scenario,
    }
  } finally {
    await stopAll()
    if (database !== undefined) await database.drop().catch((error: unknown) => log(`bench: could not drop ${database?.name}: ${String(error)}`))
    await rm(work, { recursive: true, force: true })
  }

  const markdown = toMarkdown(results)
  process.stdout.write(`\n${markdown}\n`)
  if (options.write) {
    await writeBenchmarks(join(ROOT, 'BENCHMARKS.md'), markdown)
    log('bench: BENCHMARKS.md updated')
  }
  const missed = targets(results).filter((t) => t.holds === false && !t.target.startsWith('('))
  log(missed.length === 0 ? 'bench: every target holds' : `bench: targets missed: ${missed.map((t) => t.ratio).join('; ')}`)
}

/** A rough length of the run, printed at the start: rows, warm-ups, soak, comparisons and set-up. */
function estimateSeconds(o: Options): number {
  const row = o.duration + o.warmup
  const rows = (o.oidc ? 10 : 7) * row
  const compare = o.compare ? 10 * (o.variantSeconds + 1) + 20 : 0
  const profile = o.profile ? o.duration + o.warmup + 10 : 0
  return 4 * Math.min(3, o.duration) + 40 + rows + (o.soakSeconds > 0 ? o.soakSeconds + o.warmup : 0) + compare + profile
}

/** The command as typed, with the environment variables that change the run (passwords left out). */
function commandLine(): string {
  const env = ['DATABASE_URL', 'REDIS_URL', 'BENCH_SECONDS', 'BENCH_WARMUP_SECONDS', 'BENCH_SOAK_SECONDS']
    .filter((name) => process.env[name])
    .map((name) => `${name}=${name.endsWith('_URL') ? redact(process.env[name] as string) : process.env[name]}`)
  return [...env, 'npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' ')
}

function defaultOf(name: keyof typeof ConfigSchema.properties): string {
  return String((ConfigSchema.properties[name] as { default?: unknown }).default)
}

async function chooseStorage(options: Options, work: string): Promise<{ storage: Storage; description: string; created?: BenchDatabase }> {
  const { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl } = process.env
  if (!databaseUrl || !redisUrl) {
    return { storage: { mode: 'embedded' }, description: 'embedded default (PGlite + in-process store, a temporary DATA_DIR and KEYS_DIR); set DATABASE_URL and REDIS_URL for PostgreSQL and Redis' }
  }
  const keysDir = join(work, 'shared-keys')
  await mkdir(keysDir, { recursive: true })
  const redisNote = `Redis ${redact(redisUrl)} as given (the client_credentials path does not write to it)`
  if (options.reuseDatabase) {
    return { storage: { mode: 'external', databaseUrl, redisUrl, keysDir }, description: `PostgreSQL ${redact(databaseUrl)} as given (--reuse-database); ${redisNote}` }
  }
  const created = await createBenchDatabase(databaseUrl)
  return {
    storage: { mode: 'external', databaseUrl: created.url, redisUrl, keysDir },
    description: `PostgreSQL: fresh database ${created.name} created on the server of DATABASE_URL (${redact(databaseUrl)}), dropped after the run; ${redisNote}`,
    created,
  }
}

type Scenario = Pick<Results, 'rows' | 'memory' | 'comparisons' | 'skipped' | 'profile'>

async function runScenario(options: Options, storage: Storage, work: string): Promise<Scenario> {
  const C = options.connections
  const rows: Row[] = []
  const comparisons: Comparison[] = []
  const skipped: string[] = []
  const load = (target: Target, connections: number, seconds = options.duration, warmupSeconds = options.warmup) =>
    runLoad(target, { connections, seconds, warmupSeconds })
  const measure = async (name: string, server: string, target: Target, connections: number, seconds?: number) => {
    log(`▸ ${name}`)
    const row = await load(target, connections, seconds)
    log(summary(row))
    rows.push({ name, server, load: row })
    return row
  }

  log('bench: starting Keymint, bare Fastify and oidc-provider')
  const keymint = await startKeymint({ label: 'default', storage, dir: join(work, 'keymint') })
  const metadata = (await (await fetch(`${keymint.url}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>
  const jwksBody = await (await fetch(`${keymint.url}/.well-known/jwks.json`)).text()
  const jwks = JSON.parse(jwksBody) as JSONWebKeySet
  const bare: Peer = await startBareFastify(work, jwksBody)
  const oidc: OidcProviderPeer | undefined = options.oidc ? await startOidcProvider(work) : undefined
  const oidcJwksBody = oidc === undefined ? '' : await (await fetch(`${oidc.url}/jwks`)).text()
  if (oidc === undefined) skipped.push('oidc-provider (--skip-oidc)')

  const keymintToken = tokenTarget(keymint, '/oauth/token', jwks, options.sampleEvery)
  const probe = await send(keymintToken)
  if (probe.status !== 200) throw new Error(`Keymint's token endpoint answered ${probe.status}: ${probe.body}`)
  const oidcToken = oidc === undefined ? undefined : tokenTarget(oidc, '/token', JSON.parse(oidcJwksBody) as JSONWebKeySet, options.sampleEvery)

  log('bench: warming Keymint up before its memory baseline')
  await load(keymintToken, C, Math.max(1, options.warmup * 2), 0)
  const rssBefore = treeRssBytes(keymint.pid)
  const mainStarted = Date.now()

  // Interleaved: each Keymint row next to its counterpart, so that drift on a shared machine hits both.
  await measure('keymint client_credentials @1', 'keymint', keymintToken, 1)
  if (oidcToken) await measure('oidc-provider client_credentials @1', 'oidc-provider', oidcToken, 1)
  await measure(`keymint client_credentials @${C}`, 'keymint', keymintToken, C)
  if (oidcToken) await measure(`oidc-provider client_credentials @${C}`, 'oidc-provider', oidcToken, C)
  await measure(`keymint JWKS @${C}`, 'keymint', staticTarget(keymint, '/.well-known/jwks.json', jwksBody), C)
  await measure(`bare Fastify static JSON @${C}`, 'bare fastify', staticTarget(bare, '/static.json', jwksBody), C)
  if (oidc) await measure(`oidc-provider JWKS @${C}`, 'oidc-provider', staticTarget(oidc, '/jwks', oidcJwksBody), C)
  await optionalRows(metadata, keymint, JSON.parse(probe.body).access_token as string, jwks, options, rows, measure)

  const rssAfter = treeRssBytes(keymint.pid)
  let memory: Results['memory'] = { label: 'the main rows', beforeBytes: rssBefore, afterBytes: rssAfter, maxBytes: Math.max(rssBefore, rssAfter), seconds: (Date.now() - mainStarted) / 1000 }
  await bare.stop()
  await oidc?.stop()

  if (options.soakSeconds > 0) {
    const seconds = options.soakSeconds
    const samples: number[] = [treeRssBytes(keymint.pid)]
    const sampler = setInterval(() => samples.push(treeRssBytes(keymint.pid)), 1_000)
    try {
      await measure(`keymint client_credentials @${C}, ${seconds} s soak`, 'keymint', keymintToken, C, seconds)
    } finally {
      clearInterval(sampler)
    }
    samples.push(treeRssBytes(keymint.pid))
    memory = {
      label: `a ${seconds} s soak @${C}`,
      beforeBytes: samples[0] as number,
      afterBytes: samples.at(-1) as number,
      maxBytes: Math.max(...samples),
      seconds,
    }
  } else {
    skipped.push('the memory soak (--soak-seconds 0); RSS growth is over the main rows instead')
  }

  if (options.compare) {
    comparisons.push(await compareLogLevels(keymint, storage, work, jwksBody, options))
    if (storage.mode === 'external') comparisons.push(await compareCluster(keymint, jwks, storage, work, options))
    else skipped.push('the node:cluster comparison: the embedded default (PGlite) is single-process; set DATABASE_URL and REDIS_URL')
  } else {
    skipped.push('the LOG_LEVEL and node:cluster comparisons (--skip-compare)')
  }

  let profile: Results['profile']
  if (options.profile) profile = await profileIssuer(storage, work, options)
  else skipped.push('the CPU profile (--profile)')
  await keymint.stop()
  return { rows, memory, comparisons, skipped, profile }
}

/** Introspection and refresh-token rotation, when the metadata says the issuer has them. */
async function optionalRows(
  metadata: Record<string, unknown>,
  keymint: Keymint,
  token: string,
  jwks: JSONWebKeySet,
  options: Options,
  rows: Row[],
  measure: (name: string, server: string, target: Target, connections: number) => Promise<LoadRow>,
): Promise<void> {
  const C = options.connections
  const introspection = `keymint introspection @${C}`
  if (typeof metadata.introspection_endpoint === 'string') {
    const target = introspectionTarget(keymint, new URL(metadata.introspection_endpoint).pathname, token, options.sampleEvery)
    const answer = await send(target)
    if (answer.status === 200 && answer.body.includes('"active":true')) await measure(introspection, 'keymint', target, C)
    else rows.push({ name: introspection, server: 'keymint', load: undefined, note: `not measured: the endpoint answered ${answer.status} ${answer.body.slice(0, 80)}` })
  } else {
    rows.push({ name: introspection, server: 'keymint', load: undefined, note: 'n/a (not implemented: no introspection_endpoint in the metadata)' })
  }
  const grants = Array.isArray(metadata.grant_types_supported) ? (metadata.grant_types_supported as string[]) : []
  const refresh = `keymint refresh_token rotation @${C}`
  if (grants.includes('refresh_token')) {
    log(`bench: starting ${C} refresh-token families (authorize, sign in, code exchange)`)
    await measure(refresh, 'keymint', await refreshTarget(keymint, C, jwks, options.sampleEvery), C)
  } else {
    rows.push({ name: refresh, server: 'keymint', load: undefined, note: 'n/a (not implemented: refresh_token not in grant_types_supported)' })
  }
}

/** A/B in alternation: A, B, A, B … on the same row, `rounds` times. */
async function alternate(pairs: [string, Target][], rounds: number, options: Options): Promise<{ label: string; load: LoadRow }[]> {
  const runs: { label: string; load: LoadRow }[] = []
  for (let round = 1; round <= rounds; round++) {
    for (const [label, target] of pairs) {
      log(`▸ ${label} (round ${round})`)
      const load = await runLoad(target, { connections: options.connections, seconds: options.variantSeconds, warmupSeconds: 1 })
      log(summary(load))
      runs.push({ label, load })
    }
  }
  return runs
}

async function compareLogLevels(keymint: Keymint, storage: Storage, work: string, jwksBody: string, options: Options): Promise<Comparison> {
  const info = `LOG_LEVEL=${defaultOf('LOG_LEVEL')} (default)`
  const warn = 'LOG_LEVEL=warn'
  const quiet = await startKeymint({ label: 'warn', storage, dir: join(work, 'keymint-warn'), logLevel: 'warn' })
  try {
    const quietJwks = await (await fetch(`${quiet.url}/.well-known/jwks.json`)).text()
    const C = options.connections
    const tokenRuns = await alternate(
      [
        [`${info}, token @${C}`, tokenTarget(keymint, '/oauth/token', JSON.parse(jwksBody) as JSONWebKeySet, options.sampleEvery)],
        [`${warn}, token @${C}`, tokenTarget(quiet, '/oauth/token', JSON.parse(quietJwks) as JSONWebKeySet, options.sampleEvery)],
      ],
      2,
      options,
    )
    const jwksRuns = await alternate(
      [
        [`${info}, JWKS @${C}`, staticTarget(keymint, '/.well-known/jwks.json', jwksBody)],
        [`${warn}, JWKS @${C}`, staticTarget(quiet, '/.well-known/jwks.json', quietJwks)],
      ],
      1,
      options,
    )
    return {
      title: `LOG_LEVEL=warn against the default (${defaultOf('LOG_LEVEL')}): two issuers side by side, runs alternated`,
      a: info,
      b: warn,
      runs: [...tokenRuns, ...jwksRuns],
    }
  } finally {
    await quiet.stop()
  }
}

/** The cluster shares the first issuer's database and keys, so its tokens verify against the same JWKS. */
async function compareCluster(keymint: Keymint, jwks: JSONWebKeySet, storage: Storage, work: string, options: Options): Promise<Comparison> {
  const cluster = await startKeymint({ label: 'cluster', storage, dir: join(work, 'keymint-cluster'), workers: 2 })
  try {
    const C = options.connections
    const runs = await alternate(
      [
        [`1 process, token @${C}`, tokenTarget(keymint, '/oauth/token', jwks, options.sampleEvery)],
        [`node:cluster, 2 workers, token @${C}`, tokenTarget(cluster, '/oauth/token', jwks, options.sampleEvery)],
      ],
      2,
      options,
    )
    return { title: 'node:cluster with 2 workers against one process (same database and keys), runs alternated', a: '1 process', b: 'node:cluster, 2 workers', runs }
  } finally {
    await cluster.stop()
  }
}

/** A fresh issuer under `node --cpu-prof`, loaded like the main row; only the samples of the measured window count. */
async function profileIssuer(storage: Storage, work: string, options: Options): Promise<Results['profile']> {
  const dir = join(work, 'profile')
  await mkdir(dir, { recursive: true })
  const issuer = await startKeymint({ label: 'profiled', storage, dir: join(work, 'keymint-profiled'), nodeArgs: ['--cpu-prof', '--cpu-prof-dir', dir] })
  const jwks = JSON.parse(await (await fetch(`${issuer.url}/.well-known/jwks.json`)).text()) as JSONWebKeySet
  log(`▸ keymint client_credentials @${options.connections} under --cpu-prof`)
  const target = tokenTarget(issuer, '/oauth/token', jwks, options.sampleEvery)
  await runLoad(target, { connections: options.connections, seconds: Math.max(1, options.warmup), warmupSeconds: 0 })
  const from = monotonicMicros()
  const load = await runLoad(target, { connections: options.connections, seconds: options.duration, warmupSeconds: 0 })
  const to = monotonicMicros()
  log(summary(load))
  await issuer.stop()
  const summaryOfProfile = await summarizeProfileDir(dir, { from, to })
  return {
    ...summaryOfProfile,
    tokens: load.responses,
    mainThreadCpuMsPerToken: load.serverMainThreadMsPerRequest,
    processCpuMsPerToken: load.serverCpuMsPerRequest,
  }
}

const BEGIN = '<!-- bench:results:begin (written by `npm run bench`; edit outside these markers) -->'
const END = '<!-- bench:results:end -->'

/** Replaces the generated block of BENCHMARKS.md, keeping whatever was written around it. */
async function writeBenchmarks(path: string, markdown: string): Promise<void> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch {
    text = `# Benchmarks\n\n${BEGIN}\n${END}\n`
  }
  const begin = text.indexOf(BEGIN)
  const end = text.indexOf(END)
  const block = `${BEGIN}\n\n${markdown}\n\n${END}`
  text = begin >= 0 && end > begin ? text.slice(0, begin) + block + text.slice(end + END.length) : `${text.trimEnd()}\n\n${block}\n`
  await writeFile(path, text)
}

main().catch(async (error: unknown) => {
  log(`bench: failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
  await stopAll()
  process.exit(1)
})
