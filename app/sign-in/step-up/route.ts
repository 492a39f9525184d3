import { NextResponse, type NextRequest } from 'next/server';
import { getConfig } from '@/lib/config';
import { pendingLoginCookie } from '@/lib/auth/pending-login';
import { startStepUp } from '@/lib/auth/second-factor';
import { sessionCookie, validateSessionToken } from '@/lib/auth/sessions';
import { auditContextFrom } from '@/lib/http/audit-context';
import { isRequestHandle, secondFactorPath, signInPath } from '@/lib/oauth/authorize/handle';
import { setCookie } from '@/app/_server/sign-in-response';

/**
 * The authorization endpoint sends a session that needs another factor here (acr_values asking
 * for MFA): a step-up pending login for this browser's session, then the second-factor page.
 */
export async function GET(request: NextRequest) {
  const { issuer } = getConfig();
  const handle = request.nextUrl.searchParams.get('request');
  const session = await validateSessionToken(request.cookies.get(sessionCookie().name)?.value, auditContextFrom(request.headers));
  if (!session) {
    return NextResponse.redirect(new URL(isRequestHandle(handle) ? signInPath(handle) : '/sign-in', issuer), 303);
  }
  const token = await startStepUp(session);
  const response = NextResponse.redirect(new URL(secondFactorPath(handle), issuer), 303);
  response.headers.set('cache-control', 'no-store');
  setCookie(response, pendingLoginCookie(), token);
  return response;
}
