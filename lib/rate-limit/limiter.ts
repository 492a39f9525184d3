import 'server-only';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { recordAuditEvent } from '../audit/record';
import type { AuditContext } from '../audit/events';
import { getConfig, type Config } from '../config';
import { RATE_LIMITS, type RateLimitName, type RateLimitRule } from '../config/rate-limits';
import { sha256 } from '../crypto/hash';
import { pgPool } from '../db/client';
import { BatchedLimiter } from './batched';
import { redisClient } from './redis';

/**
 * Rate limits (rate-limiter-flexible), one limiter per named limit of lib/config/rate-limits.ts.
 * Counters live in memory for a single instance on the embedded database, in PostgreSQL (the
 * rate_limits table) when DATABASE_URL is set, or in Redis when REDIS_URL is, so that every
 * instance counts together. If the shared store fails, an in-memory limiter stands in
 * (rate-limiter-flexible's insurance), so an outage of the store never opens the gates wide.
 */

export type Verdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

const ALLOWED: Verdict = { allowed: true };

/** Keys hold no personal data in clear: an email or a client id becomes its SHA-256. */
export function limitKey(...parts: string[]): string {
  return Buffer.from(sha256(parts.join('\u0000'))).toString('base64url');
}

/**
 * Takes `points` from the limit for `key`. The first refusal in a window is audited
 * (security.rate_limited); the next ones in that window are not.
 */
export async function consume(name: RateLimitName, key: string, context: AuditContext, points = 1): Promise<Verdict> {
  const entry = limiter(name);
  if (!entry) return ALLOWED;
  if (entry.batched) {
    const verdict = await entry.batched.consume(key);
    if (verdict.allowed) return ALLOWED;
    if (verdict.firstRefusal) await auditRefusal(name, key, entry.rule, context);
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(verdict.msBeforeNext / 1000)) };
  }
  try {
    await entry.limiter.consume(key, points);
    return ALLOWED;
  } catch (thrown) {
    if (!(thrown instanceof RateLimiterRes)) throw thrown;
    if (thrown.consumedPoints - points <= entry.rule.points) await auditRefusal(name, key, entry.rule, context);
    return refused(thrown);
  }
}

/**
 * Whether the limit for `key` is used up, without taking anything: for limits that count
 * failures, checked before an attempt and consumed after a failed one, so that `points`
 * failures are allowed per window and the attempt after them is refused.
 */
export async function peek(name: RateLimitName, key: string): Promise<Verdict> {
  const entry = limiter(name);
  if (!entry) return ALLOWED;
  const state = await entry.limiter.get(key);
  return state && state.consumedPoints >= entry.rule.points ? refused(state) : ALLOWED;
}

/**
 * The check before an attempt that a failure-counting limit guards: refused when the failures
 * are used up. A refused attempt is counted too, which audits the first refusal of the window.
 */
export async function guard(name: RateLimitName, key: string, context: AuditContext): Promise<Verdict> {
  const verdict = await peek(name, key);
  if (verdict.allowed) return verdict;
  const counted = await consume(name, key, context);
  return counted.allowed ? verdict : counted;
}

/** Gives `points` back to the count for `key` (an attempt that turned out not to be a failure). */
export async function refund(name: RateLimitName, key: string, points = 1): Promise<void> {
  await limiter(name)?.limiter.reward(key, points);
}

/** Forgets the count for `key` (e.g. the failed sign-ins of an account after a successful one). */
export async function reset(name: RateLimitName, key: string): Promise<void> {
  await limiter(name)?.limiter.delete(key);
}

function auditRefusal(name: RateLimitName, key: string, rule: NonNullable<RateLimitRule>, context: AuditContext) {
  return recordAuditEvent({
    type: 'security.rate_limited',
    outcome: 'failure',
    subject: key,
    details: { limit: name, points: rule.points, durationSeconds: rule.durationSeconds },
    context,
  });
}

function refused(state: RateLimiterRes): Verdict {
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(state.msBeforeNext / 1000)) };
}

interface Entry {
  rule: NonNullable<RateLimitRule>;
  limiter: RateLimiterAbstract;
  /** For request limits (RATE_LIMITS[name].requests) on a shared store: counted locally between syncs. */
  batched?: BatchedLimiter;
}

interface Limiters {
  /** The configuration the limiters were built for: a new one (tests) rebuilds them. */
  config: object;
  entries: Map<RateLimitName, Entry | null>;
}

const GLOBAL_KEY = Symbol.for('optare.rateLimiters');

function limiter(name: RateLimitName): Entry | null {
  const config = getConfig();
  const holder = globalThis as { [GLOBAL_KEY]?: Limiters };
  if (holder[GLOBAL_KEY]?.config !== config) holder[GLOBAL_KEY] = { config, entries: new Map() };
  const { entries } = holder[GLOBAL_KEY]!;
  if (!entries.has(name)) {
    const entry = build(name, config.rateLimits.rules[name], config.rateLimits);
    if (entry && 'requests' in RATE_LIMITS[name] && config.rateLimits.store !== 'memory') {
      entry.batched = new BatchedLimiter(entry.limiter, entry.rule.points);
    }
    entries.set(name, entry);
  }
  return entries.get(name)!;
}

function build(name: RateLimitName, rule: RateLimitRule, { store, redisUrl, redisTls }: Config['rateLimits']): Entry | null {
  if (!rule) return null;
  const options = { keyPrefix: `optare:${name}`, points: rule.points, duration: rule.durationSeconds };
  const insuranceLimiter = new RateLimiterMemory(options);
  switch (store) {
    case 'redis':
      return { rule, limiter: new RateLimiterRedis({ ...options, storeClient: redisClient(redisUrl!, redisTls), insuranceLimiter }) };
    case 'postgres':
      return {
        rule,
        limiter: new RateLimiterPostgres({
          ...options,
          storeClient: pgPool(),
          storeType: 'pool',
          tableName: 'rate_limits',
          tableCreated: true,
          clearExpiredByTimeout: false,
          insuranceLimiter,
        }),
      };
    default:
      return { rule, limiter: insuranceLimiter };
  }
}
