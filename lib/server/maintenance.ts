import 'server-only';
import type { Logger } from 'pino';
import { deleteExpiredSessions } from '../db/sessions';

const INTERVAL_MS = 10 * 60_000;

/** Periodic clean-up each instance runs; every task is idempotent, so instances may overlap. */
export function startMaintenance(log: Logger): () => void {
  const run = async () => {
    try {
      const removed = await deleteExpiredSessions(new Date());
      if (removed > 0) log.info({ removed }, 'deleted expired sessions');
    } catch (error) {
      log.warn({ err: error }, 'session clean-up failed');
    }
  };
  const timer = setInterval(() => void run(), INTERVAL_MS);
  timer.unref();
  void run();
  return () => clearInterval(timer);
}
