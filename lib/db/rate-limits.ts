import 'server-only';
import { db } from './client';

/**
 * The rate_limits table is read and written by rate-limiter-flexible's own SQL
 * (lib/rate-limit/limiter.ts); Optare only clears the counters whose window has passed.
 */
export async function deleteExpiredRateLimits(now: Date): Promise<number> {
  const { count } = await db().rateLimit.deleteMany({ where: { expire: { lte: BigInt(now.getTime()) } } });
  return count;
}
