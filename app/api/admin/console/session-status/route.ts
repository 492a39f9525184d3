import { NextResponse, type NextRequest } from 'next/server';
import { consoleCookieName, consoleSessionIdOf, forgetConsoleCookie } from '@/app/admin/_server/console';
import { consoleSessionEnd } from '@/lib/admin/console-access';
import { jsonRoute } from '@/lib/http/json-route';

/**
 * Whether the browser's console session is still alive, for the console pages' clean-up at
 * session end (components/session-end-watcher.tsx): `{ active: true, expiresInSeconds }`, or
 * `{ active: false }`, which also deletes the console's cookie and clears the browser's cache and
 * storage for this origin. Asking moves no clock. A 200 either way: the answer is a state.
 */
export const GET = jsonRoute(async (request: NextRequest) => {
  const now = new Date();
  const sessionId = await consoleSessionIdOf(request);
  const end = await consoleSessionEnd(sessionId, now);
  const headers = { 'cache-control': 'no-store' };
  if (end) return NextResponse.json({ active: true, expiresInSeconds: Math.ceil((end.getTime() - now.getTime()) / 1000) }, { headers });
  const response = NextResponse.json({ active: false }, { headers });
  return request.cookies.has(consoleCookieName()) ? forgetConsoleCookie(response) : response;
});
