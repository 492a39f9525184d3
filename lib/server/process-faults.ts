import type { Logger } from 'pino';

/** The part of `process` the handlers use, so that a test can hand in its own. */
export interface FaultingProcess {
  on(event: 'uncaughtException', listener: (error: Error, origin: string) => void): unknown;
  on(event: 'unhandledRejection', listener: (reason: unknown) => void): unknown;
  exit(code: number): void;
}

/**
 * The process-level last resort (ASVS 16.5.4), behind lib/server/request-handler.ts, which
 * already catches whatever a request throws:
 *
 * - an uncaught exception leaves the process in an unknown state: log it (fatal), flush the log,
 *   and exit 1 for the supervisor (systemd, Docker, Kubernetes) to restart a clean one;
 * - an unhandled promise rejection is logged (error) and the server keeps serving: it is a
 *   forgotten `await` in one code path, not a corrupt process, and ending every user's request
 *   for it would turn one bug into an outage.
 *
 * Logged (`error`): the error's class, message and stack, never its other
 * properties, which could carry a request's data.
 */
export function installProcessFaultHandlers(log: Logger, target: FaultingProcess = process): void {
  let exiting = false;
  target.on('uncaughtException', (error, origin) => {
    log.fatal({ error: describe(error), origin }, 'uncaught exception: exiting');
    if (exiting) return;
    exiting = true;
    log.flush(() => target.exit(1));
  });
  target.on('unhandledRejection', (reason) => {
    log.error({ error: describe(reason) }, 'unhandled promise rejection');
  });
}

function describe(reason: unknown): { type: string; message: string; stack?: string } {
  if (reason instanceof Error) return { type: reason.name, message: reason.message, ...(reason.stack ? { stack: reason.stack } : {}) };
  return { type: typeof reason, message: 'a non-Error value was thrown (not logged)' };
}
