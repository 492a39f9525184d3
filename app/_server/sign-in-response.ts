import 'server-only';
import { NextResponse, type NextRequest } from 'next/server';
import { runtimeSettings } from '@/lib/settings/runtime';
import type { AuditContext } from '@/lib/audit/events';
import type { BrowserCookie } from '@/lib/auth/cookies';
import { pendingLoginCookie } from '@/lib/auth/pending-login';
import { afterFirstFactor } from '@/lib/auth/second-factor';
import { createSession, endSession, sessionCookie } from '@/lib/auth/sessions';
import { trustedDeviceCookie } from '@/lib/auth/trusted-devices';
import { mayLogIn } from '@/lib/auth/email-verification';
import { noticeSignIn } from '@/lib/notifications/sign-in';
import { afterSignInPath, enrollPath, isRequestHandle, secondFactorPath } from '@/lib/oauth/authorize/handle';

const NO_STORE = { 'cache-control': 'no-store' };

/**
 * What follows a first factor (password, or a passkey): a session, or the second step with a
 * pending login held for this browser. `handle` is the pending authorization request, if any;
 * without one, `next` (an account-area path checked by lib/http/return-path) is where the user
 * goes once signed in, carried through the second step or enrollment.
 */
export async function firstFactorResponse(
  request: NextRequest,
  userId: string,
  amr: string[],
  context: AuditContext,
  handle: unknown,
  { status = 200, next = null }: { status?: number; next?: string | null } = {},
): Promise<NextResponse> {
  // OPTARE_EMAIL_VERIFICATION=required: only someone who proved the first factor learns this.
  if (!(await mayLogIn(userId))) {
    return NextResponse.json(
      { error: 'email_unverified', message: 'Confirm your email address first: open the link we sent you, or ask for a new one at /verify-email.' },
      { status: 403, headers: NO_STORE },
    );
  }
  const outcome = await afterFirstFactor(userId, amr, {
    trustedDeviceToken: request.cookies.get(trustedDeviceCookie().name)?.value,
    mfaRequired: (await runtimeSettings()).mfaRequired,
  });
  if (outcome.next === 'second_factor') {
    const response = NextResponse.json({ redirectTo: withNext(secondFactorPath(handle), handle, next) }, { status, headers: NO_STORE });
    setCookie(response, pendingLoginCookie(), outcome.pendingLoginToken);
    return response;
  }
  const redirectTo = outcome.mustEnroll ? withNext(enrollPath(handle), handle, next) : destinationAfterSignIn(handle, next);
  return signedInResponse(request, userId, outcome.amr, context, status, redirectTo);
}

/** Where a finished sign-in goes: the pending authorization request, else `next`, else home. */
export function destinationAfterSignIn(handle: unknown, next: string | null): string {
  return isRequestHandle(handle) ? afterSignInPath(handle) : (next ?? '/');
}

/** A sign-in step's path with `next` carried along (only when no authorization request is pending). */
function withNext(path: string, handle: unknown, next: string | null): string {
  return next && !isRequestHandle(handle) ? `${path}?next=${encodeURIComponent(next)}` : path;
}

/**
 * Starts a fresh session for a user who just authenticated, ending the session the browser
 * held before (a new token at every authentication prevents session fixation) and any pending
 * login. `redirectTo` is the same-origin path the form navigates to: home, or the pending
 * authorization request's continue route.
 */
export async function signedInResponse(
  request: NextRequest,
  userId: string,
  amr: string[],
  context: AuditContext,
  status = 200,
  redirectTo = '/',
): Promise<NextResponse> {
  const cookie = sessionCookie();
  await endSession(request.cookies.get(cookie.name)?.value, context);
  const { token } = await createSession(userId, amr, context);
  await noticeSignIn(userId, amr, context);
  const response = NextResponse.json({ redirectTo }, { status, headers: NO_STORE });
  setCookie(response, cookie, token);
  clearCookie(response, pendingLoginCookie());
  return response;
}

export function setCookie(response: NextResponse, cookie: BrowserCookie, value: string): void {
  response.cookies.set(cookie.name, value, cookie.options);
}

export function clearCookie(response: NextResponse, cookie: BrowserCookie): void {
  response.cookies.set(cookie.name, '', { ...cookie.options, maxAge: 0 });
}
