import { createClient, type RedisClientType } from 'redis'

/**
 * One node-redis connection. Commands fail at once while it is down (no offline queue), so a Redis
 * outage turns into 503 temporarily_unavailable instead of requests that hang; it reconnects by itself.
 */
export async function connectRedis(url: string): Promise<RedisClientType> {
  const client: RedisClientType = createClient({
    url,
    disableOfflineQueue: true,
    socket: { connectTimeout: 2_000, reconnectStrategy: (retries) => Math.min(50 * 2 ** retries, 2_000) },
  })
  client.on('error', () => {
    // Connection errors surface on the commands that fail; the client keeps reconnecting.
  })
  await client.connect()
  return client
}
