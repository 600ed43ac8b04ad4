// Errors that mean a storage backend is out of reach (not that a query was wrong), so the request can be
// answered with 503 temporarily_unavailable and retried, rather than a 500.

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH'])
// node-redis, when the connection is closed, closing, or not yet back.
const REDIS_OUTAGES = new Set(['ClientClosedError', 'ClientOfflineError', 'ConnectionTimeoutError', 'SocketClosedUnexpectedlyError'])
// Prisma: P1001 can't reach database, P1002 timed out, P1017 server closed the connection, P2024 pool timeout.
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1017', 'P2024'])
// Prisma driver-adapter error kinds that are about the connection, not the query.
const ADAPTER_OUTAGES = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections', 'TlsConnectionError'])

type AdapterCause = { kind?: string; code?: string; severity?: string }

export function isStorageOutage(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || PRISMA_CODES.has(code))) return true
    // node-redis leaves some of these with name 'Error': the class is what tells them apart.
    if (REDIS_OUTAGES.has(e.name) || REDIS_OUTAGES.has(e.constructor.name)) return true
    const meta = (e as { meta?: { driverAdapterError?: { cause?: AdapterCause } } }).meta
    if (isAdapterOutage(meta?.driverAdapterError?.cause)) return true
  }
  return false
}

function isAdapterOutage(cause: AdapterCause | undefined): boolean {
  if (cause === undefined) return false
  if (cause.kind !== undefined && ADAPTER_OUTAGES.has(cause.kind)) return true
  if (cause.kind !== 'postgres') return false
  // SQLSTATE class 08 (connection exception), 57P0x (shutdown, cannot connect now), 53300 (too many
  // connections); and any FATAL error, which ends the session rather than the statement.
  const sqlState = cause.code ?? ''
  return sqlState.startsWith('08') || sqlState.startsWith('57P') || sqlState === '53300' || cause.severity === 'FATAL'
}
