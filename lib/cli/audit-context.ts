import { randomUUID } from 'node:crypto';
import type { AuditContext } from '../audit/events';

/** How audit events recorded by one CLI invocation say where they came from. */
export function cliAuditContext(): AuditContext {
  return { ip: null, userAgent: 'optare-cli', requestId: randomUUID() };
}
