// Errors that mean a storage backend is out of reach (not that a query was wrong), so the request can be
// answered with 503 temporarily_unavailable and retried, rather than a 500.

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH'])
const OUTAGE_NAMES = new Set(['ClientClosedError', 'ClientOfflineError', 'ConnectionTimeoutError', 'SocketClosedUnexpectedlyError'])
// Prisma: P1001 can't reach database, P1002 timed out, P1017 server closed the connection, P2024 pool timeout.
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1017', 'P2024'])

export function isStorageOutage(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || PRISMA_CODES.has(code))) return true
    if (OUTAGE_NAMES.has(e.name) || /connection (terminated|refused)|Connection terminated/i.test(e.message)) return true
  }
  return false
}
