import { NextResponse, type NextRequest } from 'next/server';
import { getConfig } from '@/lib/config';
import { pendingLoginCookie } from '@/lib/auth/pending-login';
import { authenticationFreshness } from '@/lib/auth/reauthentication';
import { startStepUp } from '@/lib/auth/second-factor';
import { sessionCookie, validateSessionToken, type ActiveSession } from '@/lib/auth/sessions';
import { auditContextFrom } from '@/lib/http/audit-context';
import { accountReturnPath } from '@/lib/http/return-path';
import { isRequestHandle, secondFactorPath, signInPath } from '@/lib/oauth/authorize/handle';
import { setCookie } from '@/lib/auth/sign-in-response';

/**
 * A step-up of this browser's session, for two callers:
 * - the authorization endpoint (`request`: a session that needs another factor, acr_values
 *   asking for MFA): a step-up pending login, then the second-factor page;
 * - “Confirm it’s you” on the account pages (`next`: an account-area path to come back to,
 *   before a change that needs a fresh authentication, lib/auth/reauthentication): a stale
 *   session signs in again in full, a recent one without the user's second factor adds it, a
 *   fresh one goes straight back.
 */
export async function GET(request: NextRequest) {
  const { issuer } = getConfig();
  const handle = request.nextUrl.searchParams.get('request');
  const session = await validateSessionToken(request.cookies.get(sessionCookie().name)?.value, auditContextFrom(request.headers));
  if (isRequestHandle(handle)) {
    if (!session) return redirect(signInPath(handle), issuer);
    return stepUp(session, secondFactorPath(handle), issuer);
  }
  const next = accountReturnPath(request.nextUrl.searchParams.get('next')) ?? '/account/security';
  if (!session) return redirect(`/sign-in?next=${next}`, issuer);
  const freshness = await authenticationFreshness(session);
  if (freshness === 'fresh') return redirect(next, issuer);
  if (freshness === 'sign_in') return redirect(`/sign-in?reauth=1&next=${next}`, issuer);
  return stepUp(session, `/sign-in/second-factor?next=${encodeURIComponent(next)}`, issuer);
}

async function stepUp(session: ActiveSession, path: string, issuer: string): Promise<NextResponse> {
  const token = await startStepUp(session);
  const response = redirect(path, issuer);
  setCookie(response, pendingLoginCookie(), token);
  return response;
}

function redirect(path: string, issuer: string): NextResponse {
  const response = NextResponse.redirect(new URL(path, issuer), 303);
  response.headers.set('cache-control', 'no-store');
  return response;
}
