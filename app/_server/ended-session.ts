import 'server-only';
import type { NextResponse } from 'next/server';
import { sessionCookie } from '@/lib/auth/sessions';
import { CLEAR_SITE_DATA } from '@/lib/http/responses';

/**
 * A browser whose session has ended (expired, ended elsewhere, unknown) but which still presents
 * its cookie (ASVS 14.3.1): like sign-out, the answer deletes the cookie and asks the browser to
 * clear what it cached and stored for this origin. Only for a browser that presented the cookie:
 * a request without it (a link from another site, say) clears nothing.
 */

export const SESSION_ENDED_PATH = '/sign-in/session-ended';

/** Where a browser whose session ended signs in again and comes back to `returnTo`, told why. */
export function signInAgainPath(returnTo: string): string {
  return `/sign-in?ended=1&next=${returnTo}`;
}

export function forgetEndedSession<T extends NextResponse>(response: T): T {
  const cookie = sessionCookie();
  response.cookies.set(cookie.name, '', { ...cookie.options, maxAge: 0 });
  response.headers.set('Clear-Site-Data', CLEAR_SITE_DATA['Clear-Site-Data']);
  response.headers.set('Cache-Control', 'no-store');
  return response;
}
