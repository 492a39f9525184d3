import 'server-only';
import type { AuditContext } from '../../audit/events';
import { sessionCookie, validateSessionToken, type ActiveSession } from '../../auth/sessions';
import { clearCookieHeader, readCookie } from '../../auth/cookies';
import type { ProtocolRequest } from '../../http/protocol-message';

export function sessionToken(request: Pick<ProtocolRequest, 'headers'>): string | undefined {
  return readCookie(request.headers, sessionCookie().name);
}

/** The browser's signed-in session (validated, expired ones refused), or null. */
export function browserSession(request: Pick<ProtocolRequest, 'headers'>, context: AuditContext, now: Date): Promise<ActiveSession | null> {
  return validateSessionToken(sessionToken(request), context, now);
}

/** Set-Cookie value that deletes the session cookie. */
export function clearedSessionCookie(): string {
  return clearCookieHeader(sessionCookie());
}
