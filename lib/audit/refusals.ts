import 'server-only';
import { logger } from '../log/logger';
import type { AuditContext, AuditDetailValue, AuditEventType } from './events';
import { recordAuditEvent } from './record';

/**
 * Audits refused requests (ASVS 16.3.2, 16.3.3): admin API keys refused (401, or 403
 * insufficient_scope), account API calls without a session, cross-site writes, invalid input to
 * the account and admin APIs (lib/audit/invalid-input.ts). Anyone can send
 * these, as fast as they like, so each is recorded at most once per minute for the same type,
 * reason, subject (an API key's prefix, a path) and client IP address: a flood of refusals
 * costs the log one event per minute per combination, and at most MAX_PER_MINUTE events a minute
 * on each instance in all (past it, refusals are not recorded until the next minute, and one
 * warning is logged). Each instance counts on its own, so N instances record at most N times as
 * many. The request is refused whether or not it is recorded; recording never delays it.
 */

const WINDOW_MS = 60_000;
export const MAX_PER_MINUTE = 1000;

export interface Refusal {
  type: Extract<AuditEventType, 'api_key.refused' | 'account.access_denied' | 'security.cross_site_refused' | 'security.invalid_input'>;
  reason: string;
  /** What was refused: an API key's id or prefix, a path. */
  subject: string | null;
  details?: Record<string, AuditDetailValue>;
  context: AuditContext;
}

const GLOBAL_KEY = Symbol.for('optare.audit-refusals');
type State = { windowStart: number; seen: Set<string>; full: boolean; inFlight: Set<Promise<void>> };
function state(): State {
  const holder = globalThis as { [GLOBAL_KEY]?: State };
  holder[GLOBAL_KEY] ??= { windowStart: 0, seen: new Set(), full: false, inFlight: new Set() };
  return holder[GLOBAL_KEY];
}

/** Records the refusal unless one like it was recorded this minute; returns at once. */
export function auditRefusal(refusal: Refusal, now = Date.now()): void {
  const current = state();
  if (now - current.windowStart >= WINDOW_MS) {
    current.windowStart = now;
    current.seen.clear();
    current.full = false;
  }
  const key = [refusal.type, refusal.reason, refusal.subject ?? '', refusal.context.ip ?? ''].join('\u0000');
  if (current.seen.has(key)) return;
  if (current.seen.size >= MAX_PER_MINUTE) {
    if (!current.full) logger().warn({ type: refusal.type }, 'too many distinct refusals this minute: not auditing more until the next');
    current.full = true;
    return;
  }
  current.seen.add(key);
  const recording = recordAuditEvent({
    type: refusal.type,
    outcome: 'failure',
    subject: refusal.subject,
    details: { reason: refusal.reason, ...refusal.details },
    context: refusal.context,
  }).then(
    () => undefined,
    (error: unknown) => logger().error({ err: error, type: refusal.type }, 'could not audit a refused request'),
  );
  current.inFlight.add(recording);
  void recording.finally(() => current.inFlight.delete(recording));
}

/** Counts work that ends in auditRefusal (reading a response first) among what settleRefusalAudits waits for. */
export function trackRefusalAudit(pending: Promise<void>): void {
  const current = state();
  const settled = pending.catch((error: unknown) => logger().error({ err: error }, 'could not audit a refused request'));
  current.inFlight.add(settled);
  void settled.finally(() => current.inFlight.delete(settled));
}

/** Waits for the refusals being recorded (tests). */
export async function settleRefusalAudits(): Promise<void> {
  while (state().inFlight.size > 0) await Promise.all([...state().inFlight]);
}

/** Forgets which refusals were recorded this minute (tests). */
export function forgetRecordedRefusals(): void {
  const current = state();
  current.windowStart = 0;
  current.seen.clear();
  current.full = false;
}
