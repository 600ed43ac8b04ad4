import t from 'tap'
import { ConfigError, loadConfig, storageMode } from '../src/config.ts'

t.test('defaults make the embedded default', async (t) => {
  const config = loadConfig({})
  t.equal(config.port, 3000)
  t.equal(config.issuer, 'http://127.0.0.1:3000')
  t.equal(config.accessTokenTtlSeconds, 900)
  t.equal(config.rsaModulusLength, 2048)
  t.equal(config.keysDir, 'keys')
  t.equal(config.adminSocket, 'data/admin.sock')
  t.equal(storageMode(config), 'embedded')
  t.ok(Object.isFrozen(config))
})

t.test('values are converted and checked', async (t) => {
  const config = loadConfig({
    PORT: '8080',
    ISSUER: 'https://auth.example.com/',
    DATABASE_URL: 'postgresql://u@db:5432/keymint',
    REDIS_URL: 'redis://cache:6379',
    ACCESS_TOKEN_TTL_SECONDS: '300',
    RSA_MODULUS_LENGTH: '3072',
    UNRELATED: 'ignored',
  })
  t.equal(config.port, 8080)
  t.equal(config.issuer, 'https://auth.example.com', 'trailing slash dropped')
  t.equal(config.accessTokenTtlSeconds, 300)
  t.equal(config.rsaModulusLength, 3072)
  t.equal(storageMode(config), 'external')
})

t.test('every bad variable is reported at once', async (t) => {
  const error = catchConfig({ PORT: 'eighty', ACCESS_TOKEN_TTL_SECONDS: '5', RSA_MODULUS_LENGTH: '1024', LOG_LEVEL: 'loud' })
  t.equal(error.problems.length, 4)
  t.same(error.problems, [
    'PORT="eighty": must be integer',
    'ACCESS_TOKEN_TTL_SECONDS="5": must be >= 30',
    'RSA_MODULUS_LENGTH="1024": must be one of 2048, 3072, 4096',
    'LOG_LEVEL="loud": must be one of fatal, error, warn, info, debug, trace, silent',
  ])
  t.match(error.message, /^invalid configuration:\n  - PORT="eighty"/)
})

t.test('the issuer identifier follows RFC 8414 §2', async (t) => {
  t.match(catchConfig({ ISSUER: 'not a url' }).message, /ISSUER="not a url": must be an absolute URL/)
  t.match(catchConfig({ ISSUER: 'https://auth.example.com?x=1' }).message, /must not have a query or fragment/)
  t.match(catchConfig({ ISSUER: 'https://auth.example.com#top' }).message, /must not have a query or fragment/)
  t.match(catchConfig({ ISSUER: 'https://auth.example.com/tenant' }).message, /must not have a path/)
  t.match(catchConfig({ ISSUER: 'http://auth.example.com' }).message, /must use https/)
  t.equal(loadConfig({ ISSUER: 'http://auth.internal', ALLOW_HTTP_ISSUER: 'true' }).issuer, 'http://auth.internal')
  t.equal(loadConfig({ ISSUER: 'http://localhost:3000' }).issuer, 'http://localhost:3000')
})

t.test('PostgreSQL and Redis go together', async (t) => {
  t.match(catchConfig({ DATABASE_URL: 'postgresql://u@db/k' }).message, /DATABASE_URL and REDIS_URL go together/)
  t.match(catchConfig({ DATABASE_URL: 'mysql://u@db/k', REDIS_URL: 'redis://r' }).message, /DATABASE_URL="mysql:\/\/u@db\/k"/)
})

function catchConfig(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env)
  } catch (error) {
    if (error instanceof ConfigError) return error
    throw error
  }
  throw new Error('expected a ConfigError')
}
