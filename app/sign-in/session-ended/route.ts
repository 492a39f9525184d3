import { NextResponse, type NextRequest } from 'next/server';
import { forgetEndedSession, signInAgainPath } from '@/app/_server/ended-session';
import { sessionCookie, validateSessionToken } from '@/lib/auth/sessions';
import { getConfig } from '@/lib/config';
import { auditContextFrom } from '@/lib/http/audit-context';
import { accountReturnPath } from '@/lib/http/return-path';

/**
 * Where an account page sends a browser whose session cookie no longer stands for a live
 * session: 303 to the sign-in page (back to `next`, an account-area path), deleting the cookie and
 * clearing the browser's cache and storage for this origin. A live session is left alone and sent
 * back to `next`, so a link here from another site cannot sign anyone out.
 */
export async function GET(request: NextRequest) {
  const { issuer } = getConfig();
  const returnTo = accountReturnPath(request.nextUrl.searchParams.get('next')) ?? '/account';
  const token = request.cookies.get(sessionCookie().name)?.value;
  if (await validateSessionToken(token, auditContextFrom(request.headers))) {
    return NextResponse.redirect(new URL(returnTo, issuer), { status: 303, headers: { 'cache-control': 'no-store' } });
  }
  const response = NextResponse.redirect(new URL(signInAgainPath(returnTo), issuer), { status: 303, headers: { 'cache-control': 'no-store' } });
  return token === undefined ? response : forgetEndedSession(response);
}
