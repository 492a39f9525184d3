import { NextResponse, type NextRequest } from 'next/server';
import { consoleCookieName, consoleSessionIdOf, forgetConsoleCookie, refusalPath } from '@/app/admin/_server/console';
import { consoleSessionEnd } from '@/lib/admin/console-access';
import { jsonRoute } from '@/lib/http/json-route';

/**
 * Whether the browser's console session is still alive, for the console pages' clean-up at
 * session end (components/session-end-watcher.tsx): 200 `{ active: true, expiresInSeconds }`; else,
 * like every console route, 401 (no live console session: the answer also deletes the console's
 * cookie and clears the browser's cache and storage for this origin) or 403 (not an administrator
 * with a second factor), both with `active: false`. Asking moves no clock.
 */
export const GET = jsonRoute(async (request: NextRequest) => {
  const now = new Date();
  const session = await consoleSessionEnd(await consoleSessionIdOf(request), now);
  const headers = { 'cache-control': 'no-store' };
  if (session.ok) {
    return NextResponse.json({ active: true, expiresInSeconds: Math.ceil((session.endsAt.getTime() - now.getTime()) / 1000) }, { headers });
  }
  // Where the page goes: the console's sign-in, saying why (idle, role lost, no second factor).
  const redirectTo = refusalPath(session.reason === 'signed_out' ? 'idle' : session.reason);
  if (session.reason === 'not_admin' || session.reason === 'mfa_required') {
    return NextResponse.json({ active: false, error: 'forbidden', redirectTo }, { status: 403, headers });
  }
  const response = NextResponse.json({ active: false, error: 'not_signed_in', redirectTo }, { status: 401, headers });
  return request.cookies.has(consoleCookieName()) ? forgetConsoleCookie(response) : response;
});
