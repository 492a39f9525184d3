import 'server-only';
import type { AuditContext } from '../../audit/events';
import { sessionCookie, validateSessionToken, type ActiveSession } from '../../auth/sessions';
import type { HeaderReader, ProtocolRequest } from '../../http/protocol-message';

/** The value of one cookie from a request's Cookie header. */
export function readCookie(headers: HeaderReader, name: string): string | undefined {
  for (const part of (headers.get('cookie') ?? '').split(';')) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index).trim() === name) return part.slice(index + 1).trim();
  }
  return undefined;
}

export function sessionToken(request: Pick<ProtocolRequest, 'headers'>): string | undefined {
  return readCookie(request.headers, sessionCookie().name);
}

/** The browser's signed-in session (validated, expired ones refused), or null. */
export function browserSession(request: Pick<ProtocolRequest, 'headers'>, context: AuditContext, now: Date): Promise<ActiveSession | null> {
  return validateSessionToken(sessionToken(request), context, now);
}

/** Set-Cookie value that deletes the session cookie. */
export function clearedSessionCookie(): string {
  const { name, options } = sessionCookie();
  return `${name}=; Path=${options.path}; Max-Age=0; HttpOnly; SameSite=Lax${options.secure ? '; Secure' : ''}`;
}
