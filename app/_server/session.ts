import 'server-only';
import { cookies, headers } from 'next/headers';
import { sessionCookie, validateSessionToken, type ActiveSession } from '@/lib/auth/sessions';
import { auditContextFrom } from '@/lib/http/audit-context';

/** The signed-in session of the current request, or null. For server components and handlers. */
export async function currentSession(): Promise<ActiveSession | null> {
  const token = (await cookies()).get(sessionCookie().name)?.value;
  return validateSessionToken(token, auditContextFrom(await headers()));
}
