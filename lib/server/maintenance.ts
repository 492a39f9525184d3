import 'server-only';
import type { Logger } from 'pino';
import { deleteExpiredSessions } from '../db/sessions';
import { deleteExpiredOAuthRows } from '../db/grants';
import { deleteExpiredAuthorizationRequests } from '../db/authorization-requests';
import { deleteExpiredPendingLogins } from '../db/pending-logins';
import { deleteExpiredTrustedDevices } from '../db/trusted-devices';
import { deleteExpiredRateLimits } from '../db/rate-limits';
import { deleteExpiredAssertionJtis } from '../db/client-assertion-jtis';
import { deleteExpiredCeremonies } from '../auth/webauthn';
import { deleteExpiredEmailTokens } from '../db/email-tokens';
import { pruneAuditEvents } from '../audit/retention';
import { runtimeSettings } from '../settings/runtime';

const INTERVAL_MS = 10 * 60_000;

/** Periodic clean-up each instance runs; every task is idempotent, so instances may overlap. */
export function startMaintenance(log: Logger): () => void {
  const tasks: Array<[string, (now: Date) => Promise<unknown>]> = [
    ['expired sessions', deleteExpiredSessions],
    ['expired OAuth codes, tokens and grants', deleteExpiredOAuthRows],
    ['expired pending authorization requests', deleteExpiredAuthorizationRequests],
    ['expired pending sign-ins', deleteExpiredPendingLogins],
    ['expired WebAuthn ceremonies', deleteExpiredCeremonies],
    ['expired trusted browsers', deleteExpiredTrustedDevices],
    ['expired rate-limit counters', deleteExpiredRateLimits],
    ['expired client assertion ids', deleteExpiredAssertionJtis],
    ['expired email links', deleteExpiredEmailTokens],
    // The admin console's audit retention (0, the default: keep every event).
    ['audit events past their retention', async (now) => pruneAuditEvents((await runtimeSettings()).auditRetentionDays, now)],
  ];
  const run = async () => {
    for (const [what, task] of tasks) {
      try {
        log.debug({ removed: await task(new Date()) }, `deleted ${what}`);
      } catch (error) {
        log.warn({ err: error }, `clean-up of ${what} failed`);
      }
    }
  };
  const timer = setInterval(() => void run(), INTERVAL_MS);
  timer.unref();
  void run();
  return () => clearInterval(timer);
}
