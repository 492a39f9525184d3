import 'server-only';
import fs from 'node:fs';
import { Redis } from 'ioredis';
import type { RedisTlsFiles } from '../config/redis-tls';
import { logger } from '../log/logger';

const GLOBAL_KEY = Symbol.for('optare.redis');

/**
 * The Redis connection for rate-limit counters (REDIS_URL). Commands sent before the connection
 * is up wait for it, but never more than a second: while Redis is unreachable they fail and the
 * in-memory insurance limiter counts instead. With `tls` (OPTARE_REDIS_TLS_*), a rediss:// connection
 * trusts that CA and presents that client certificate.
 */
export function redisClient(url: string, tls: RedisTlsFiles | null = null): Redis {
  const holder = globalThis as { [GLOBAL_KEY]?: Redis };
  if (!holder[GLOBAL_KEY]) {
    const client = new Redis(url, { commandTimeout: 1000, maxRetriesPerRequest: 1, ...(tls ? { tls: tlsOptions(tls) } : {}) });
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

function tlsOptions({ caFile, certFile, keyFile }: RedisTlsFiles): { ca?: Buffer; cert?: Buffer; key?: Buffer } {
  return {
    ...(caFile ? { ca: fs.readFileSync(caFile) } : {}),
    ...(certFile && keyFile ? { cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile) } : {}),
  };
}
