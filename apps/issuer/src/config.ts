import Type, { type Static } from 'typebox'
import Value from 'typebox/value'

// Every setting Keymint reads, with its default. `loadConfig` is the only reader of the environment.
export const ConfigSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  ISSUER: Type.Optional(Type.String({ minLength: 1 })),
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://' })),
  DATA_DIR: Type.String({ minLength: 1, default: 'data' }),
  KEYS_DIR: Type.String({ minLength: 1, default: 'keys' }),
  ADMIN_SOCKET: Type.Optional(Type.String({ minLength: 1 })),
  ACCESS_TOKEN_TTL_SECONDS: Type.Integer({ minimum: 30, maximum: 86_400, default: 900 }),
  REFRESH_TOKEN_IDLE_SECONDS: Type.Integer({ minimum: 60, maximum: 31_536_000, default: 1_209_600 }),
  REFRESH_TOKEN_ABSOLUTE_SECONDS: Type.Integer({ minimum: 60, maximum: 31_536_000, default: 7_776_000 }),
  REFRESH_TOKEN_REUSE_GRACE_SECONDS: Type.Integer({ minimum: 0, maximum: 60, default: 0 }),
  JWKS_MAX_AGE_SECONDS: Type.Integer({ minimum: 0, maximum: 86_400, default: 300 }),
  KEY_ROTATION_DAYS: Type.Integer({ minimum: 0, maximum: 3650, default: 90 }),
  KEY_PROMOTION_DELAY_SECONDS: Type.Optional(Type.Integer({ minimum: 0, maximum: 604_800 })),
  KEY_REFRESH_SECONDS: Type.Integer({ minimum: 1, maximum: 3600, default: 10 }),
  RSA_MODULUS_LENGTH: Type.Union([Type.Literal(2048), Type.Literal(3072), Type.Literal(4096)], { default: 2048 }),
  CLIENT_CACHE_SECONDS: Type.Integer({ minimum: 0, maximum: 3600, default: 30 }),
  SESSION_TTL_SECONDS: Type.Integer({ minimum: 60, maximum: 2_592_000, default: 28_800 }),
  ALLOW_HTTP_ISSUER: Type.Boolean({ default: false }),
  LOG_LEVEL: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)), {
    default: 'info',
  }),
})

type Env = Static<typeof ConfigSchema>

export type StorageMode = 'embedded' | 'external'

export type Config = Readonly<{
  port: number
  host: string
  issuer: string
  databaseUrl: string | undefined
  redisUrl: string | undefined
  dataDir: string
  keysDir: string
  adminSocket: string
  accessTokenTtlSeconds: number
  /** A refresh token unused this long expires; each rotation starts the count again. */
  refreshTokenIdleSeconds: number
  /** A refresh token family ends this long after its first token, however often it rotates. */
  refreshTokenAbsoluteSeconds: number
  /** A spent refresh token presented again this soon is rotated again instead of revoking its family; 0 = off. */
  refreshTokenReuseGraceSeconds: number
  jwksMaxAgeSeconds: number
  /** Scheduled rotation: stage a successor once the active key is this old; 0 = never. */
  keyRotationDays: number
  /** How long a staged key is published before it signs (default JWKS_MAX_AGE_SECONDS). */
  keyPromotionDelaySeconds: number
  /** How often every instance reloads the key table. */
  keyRefreshSeconds: number
  rsaModulusLength: number
  clientCacheSeconds: number
  /** How long a browser sign-in session lives without being used. */
  sessionTtlSeconds: number
  logLevel: string
}>

export class ConfigError extends Error {
  readonly problems: string[]
  constructor(problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    this.name = 'ConfigError'
    this.problems = problems
  }
}

const KNOWN = Object.keys(ConfigSchema.properties)

/** Validates the environment once, reporting every bad variable together, and returns a frozen Config. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const input: Record<string, unknown> = {}
  for (const key of KNOWN) {
    const value = env[key]
    if (value !== undefined && value !== '') input[key] = value
  }
  const candidate = Value.Convert(ConfigSchema, Value.Default(ConfigSchema, { ...input })) as Record<string, unknown>
  const problems: string[] = []
  for (const [name, schema] of Object.entries(ConfigSchema.properties)) {
    if (candidate[name] === undefined && !(ConfigSchema.required as string[]).includes(name)) continue
    if (Value.Check(schema, candidate[name])) continue
    const allowed = 'anyOf' in schema ? (schema.anyOf as { const: unknown }[]).map((s) => s.const) : undefined
    const reason = allowed ? `must be one of ${allowed.join(', ')}` : ([...Value.Errors(schema, candidate[name])][0]?.message ?? 'is invalid')
    problems.push(`${name}=${JSON.stringify(input[name] ?? '')}: ${reason}`)
  }
  if (problems.length > 0) throw new ConfigError(problems)
  const values = candidate as Env

  const issuer = values.ISSUER ?? `http://${hostForUrl(values.HOST)}:${values.PORT}`
  const issuerProblem = checkIssuer(issuer, values.ALLOW_HTTP_ISSUER)
  if (issuerProblem) throw new ConfigError([`ISSUER=${JSON.stringify(issuer)}: ${issuerProblem}`])
  if ((values.DATABASE_URL === undefined) !== (values.REDIS_URL === undefined)) {
    throw new ConfigError([
      'DATABASE_URL and REDIS_URL go together: set both for PostgreSQL and Redis, or neither for the embedded default',
    ])
  }

  return Object.freeze({
    port: values.PORT,
    host: values.HOST,
    issuer: issuer.replace(/\/$/, ''),
    databaseUrl: values.DATABASE_URL,
    redisUrl: values.REDIS_URL,
    dataDir: values.DATA_DIR,
    keysDir: values.KEYS_DIR,
    adminSocket: values.ADMIN_SOCKET ?? `${values.DATA_DIR}/admin.sock`,
    accessTokenTtlSeconds: values.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenIdleSeconds: values.REFRESH_TOKEN_IDLE_SECONDS,
    refreshTokenAbsoluteSeconds: values.REFRESH_TOKEN_ABSOLUTE_SECONDS,
    refreshTokenReuseGraceSeconds: values.REFRESH_TOKEN_REUSE_GRACE_SECONDS,
    jwksMaxAgeSeconds: values.JWKS_MAX_AGE_SECONDS,
    keyRotationDays: values.KEY_ROTATION_DAYS,
    keyPromotionDelaySeconds: values.KEY_PROMOTION_DELAY_SECONDS ?? values.JWKS_MAX_AGE_SECONDS,
    keyRefreshSeconds: values.KEY_REFRESH_SECONDS,
    rsaModulusLength: values.RSA_MODULUS_LENGTH,
    clientCacheSeconds: values.CLIENT_CACHE_SECONDS,
    sessionTtlSeconds: values.SESSION_TTL_SECONDS,
    logLevel: values.LOG_LEVEL,
  })
}

export function storageMode(config: Config): StorageMode {
  return config.databaseUrl === undefined ? 'embedded' : 'external'
}

function hostForUrl(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1'
  return host.includes(':') ? `[${host}]` : host
}

// RFC 8414 §2: an https URL with no query or fragment. Plain http is accepted for loopback hosts (development)
// or when ALLOW_HTTP_ISSUER says so (a private network behind TLS termination); Keymint serves its endpoints at the root of its own host, so no path either.
function checkIssuer(issuer: string, allowHttp: boolean): string | undefined {
  let url: URL
  try {
    url = new URL(issuer)
  } catch {
    return 'must be an absolute URL such as https://auth.example.com'
  }
  if (url.search || url.hash || issuer.includes('?') || issuer.includes('#')) return 'must not have a query or fragment'
  if (url.pathname !== '/') return 'must not have a path: serve Keymint at the root of its own host'
  if (url.username || url.password) return 'must not contain credentials'
  if (url.protocol === 'https:') return undefined
  if (url.protocol === 'http:' && (allowHttp || isLoopback(url.hostname))) return undefined
  if (url.protocol === 'http:') return 'must use https (plain http only for loopback hosts, or with ALLOW_HTTP_ISSUER=true)'
  return 'must be an https URL'
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname)
}
