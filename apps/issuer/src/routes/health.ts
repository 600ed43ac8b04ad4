import type { FastifyInstance } from 'fastify'
import type { Database, EphemeralStore } from '../storage/ports.ts'

export type HealthRouteOptions = { database: Database; ephemeral: EphemeralStore }

/** GET /healthz: the process answers. GET /readyz: the database and the ephemeral store answer too. */
export async function healthRoutes(app: FastifyInstance, opts: HealthRouteOptions): Promise<void> {
  // Probed every few seconds by orchestrators: not access-logged (a failing readyz still logs its warning).
  app.get('/healthz', { logLevel: 'warn' }, async () => ({ status: 'ok' }))
  app.get('/readyz', { logLevel: 'warn' }, async (request, reply) => {
    const [database, store] = await Promise.allSettled([opts.database.ping(), opts.ephemeral.ping()])
    const checks = { database: state(database), store: state(store) }
    const ready = database.status === 'fulfilled' && store.status === 'fulfilled'
    if (!ready) request.log.warn({ checks }, 'not ready')
    return reply.code(ready ? 200 : 503).header('cache-control', 'no-store').send({ status: ready ? 'ok' : 'unavailable', checks })
  })
}

function state(result: PromiseSettledResult<void>): 'ok' | 'unavailable' {
  return result.status === 'fulfilled' ? 'ok' : 'unavailable'
}
