import 'server-only';
import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { sessionCookie, validateSessionToken, type ActiveSession } from '@/lib/auth/sessions';
import { auditContextFrom } from '@/lib/http/audit-context';
import { SESSION_ENDED_PATH } from './ended-session';

/** The signed-in session of the current request, or null. For server components and handlers. */
export async function currentSession(): Promise<ActiveSession | null> {
  const token = (await cookies()).get(sessionCookie().name)?.value;
  return validateSessionToken(token, auditContextFrom(await headers()));
}

/**
 * The session of an account-area page at `returnTo`; without one, the page is left for the
 * sign-in page. A page cannot set cookies, so a browser that presented the cookie of a session
 * that has ended goes through /sign-in/session-ended, which deletes it and clears the browser's
 * cache and storage (app/_server/ended-session.ts).
 */
export async function sessionOrSignIn(returnTo: string): Promise<ActiveSession> {
  const token = (await cookies()).get(sessionCookie().name)?.value;
  const session = await validateSessionToken(token, auditContextFrom(await headers()));
  if (session) return session;
  redirect(token === undefined ? `/sign-in?next=${returnTo}` : `${SESSION_ENDED_PATH}?next=${returnTo}`);
}
