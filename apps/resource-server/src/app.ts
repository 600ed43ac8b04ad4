import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import type { FastifyError, FastifyInstance, FastifyServerOptions } from 'fastify';
import { bearerAuth } from './bearer-auth/index.ts';

export interface BuildAppOptions {
  issuer: string;
  audience: string;
  jwksUri: string;
  logger?: FastifyServerOptions['logger'];
  /** realm of WWW-Authenticate challenges. Default "keymint-resource-server". */
  realm?: string;
  clockToleranceSec?: number;
  cooldownMs?: number;
  cacheMaxAgeMs?: number;
}

interface Order {
  id: string;
  item: string;
  quantity: number;
  createdAt: string;
}

interface NewOrder {
  item: string;
  quantity: number;
}

/** The sample API: orders kept in memory per subject. Call `listen` or `inject` on the result. */
export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const { issuer, audience, jwksUri, logger = false, realm = 'keymint-resource-server' } = options;
  const app = Fastify({ logger });

  // Never leak internals: 5xx bodies are generic; 4xx keep Fastify's message (validation etc.).
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const status = err.statusCode !== undefined && err.statusCode >= 400 ? err.statusCode : 500;
    if (status >= 500) {
      request.log.error({ err }, 'request failed');
      return reply.code(status).send({ error: 'server_error', error_description: 'Internal server error' });
    }
    return reply.code(status).send({ error: 'invalid_request', error_description: err.message });
  });

  await app.register(bearerAuth, {
    realm,
    issuer,
    audience,
    jwksUri,
    ...(options.clockToleranceSec !== undefined && { clockToleranceSec: options.clockToleranceSec }),
    ...(options.cooldownMs !== undefined && { cooldownMs: options.cooldownMs }),
    ...(options.cacheMaxAgeMs !== undefined && { cacheMaxAgeMs: options.cacheMaxAgeMs }),
  });

  const ordersBySubject = new Map<string, Order[]>();

  app.get('/health', async () => ({ status: 'ok' }));

  app.get('/me', { onRequest: app.requireScopes() }, async (request) => {
    const token = request.accessToken!;
    return { sub: token.sub, client_id: token.clientId, scope: token.scopes.join(' ') };
  });

  app.get('/orders', { onRequest: app.requireScopes('orders:read') }, async (request) => {
    return { orders: ordersBySubject.get(request.accessToken!.sub) ?? [] };
  });

  app.post<{ Body: NewOrder }>(
    '/orders',
    {
      onRequest: app.requireScopes('orders:write'),
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['item', 'quantity'],
          properties: {
            item: { type: 'string', minLength: 1, maxLength: 200 },
            quantity: { type: 'integer', minimum: 1, maximum: 1000 },
          },
        },
      },
    },
    async (request, reply) => {
      const sub = request.accessToken!.sub;
      const order: Order = {
        id: randomUUID(),
        item: request.body.item,
        quantity: request.body.quantity,
        createdAt: new Date().toISOString(),
      };
      const orders = ordersBySubject.get(sub) ?? [];
      orders.push(order);
      ordersBySubject.set(sub, orders);
      return reply.code(201).send(order);
    },
  );

  return app;
}
