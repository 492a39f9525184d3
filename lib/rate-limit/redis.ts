import 'server-only';
import { Redis } from 'ioredis';
import { logger } from '../log/logger';

const GLOBAL_KEY = Symbol.for('optare.redis');

/**
 * The Redis connection for rate-limit counters (REDIS_URL). Commands sent before the connection
 * is up wait for it, but never more than a second: while Redis is unreachable they fail and the
 * in-memory insurance limiter counts instead.
 */
export function redisClient(url: string): Redis {
  const holder = globalThis as { [GLOBAL_KEY]?: Redis };
  if (!holder[GLOBAL_KEY]) {
    const client = new Redis(url, { commandTimeout: 1000, maxRetriesPerRequest: 1 });
    client.on('error', (error) => logger().warn({ err: error }, 'Redis connection problem; rate limits count in memory meanwhile'));
    holder[GLOBAL_KEY] = client;
  }
  return holder[GLOBAL_KEY];
}

export async function closeRedis(): Promise<void> {
  const holder = globalThis as { [GLOBAL_KEY]?: Redis };
  const client = holder[GLOBAL_KEY];
  delete holder[GLOBAL_KEY];
  await client?.quit().catch(() => client.disconnect());
}
