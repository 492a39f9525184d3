import { NextResponse, type NextRequest } from 'next/server';
import { forgetEndedSession } from '@/app/_server/ended-session';
import { sessionCookie, validateSessionToken } from '@/lib/auth/sessions';
import { auditContextFrom } from '@/lib/http/audit-context';
import { jsonRoute } from '@/lib/http/json-route';

/**
 * Whether the browser's session is still alive, for the account pages' clean-up at session end
 * (components/session-end-watcher.tsx): `{ active: true, expiresInSeconds }`, or
 * 401 `{ active: false }`, like every account route without a live session, which also forgets the
 * cookie of an ended session (app/_server/ended-session.ts). Asking is not using the session: its
 * idle expiry is not slid forward.
 */
export const GET = jsonRoute(async (request: NextRequest) => {
  const now = new Date();
  const token = request.cookies.get(sessionCookie().name)?.value;
  const session = await validateSessionToken(token, auditContextFrom(request.headers), now, { slide: false });
  const headers = { 'cache-control': 'no-store' };
  if (session) {
    const expiresInSeconds = Math.max(0, Math.ceil((session.expiresAt.getTime() - now.getTime()) / 1000));
    return NextResponse.json({ active: true, expiresInSeconds }, { headers });
  }
  const response = NextResponse.json({ active: false, error: 'not_signed_in' }, { status: 401, headers });
  return token === undefined ? response : forgetEndedSession(response);
});
