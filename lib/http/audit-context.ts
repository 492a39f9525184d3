import type { AuditContext } from '../audit/events';
import type { HeaderReader } from './protocol-message';

/** Who is calling, from the headers Optare's server stamped on the request (never the client's). */
export function auditContextFrom(headers: HeaderReader): AuditContext {
  return {
    ip: headers.get('x-optare-client-ip'),
    userAgent: headers.get('user-agent')?.slice(0, 512) ?? null,
    requestId: headers.get('x-request-id'),
  };
}
