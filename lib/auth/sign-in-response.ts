import 'server-only';
import { runtimeSettings } from '../settings/runtime';
import type { AuditContext } from '../audit/events';
import { clearCookieHeader, readCookie, setCookieHeader, type BrowserCookie } from './cookies';
import { pendingLoginCookie } from './pending-login';
import { afterFirstFactor } from './second-factor';
import { createSession, endSession, sessionCookie } from './sessions';
import { trustedDeviceCookie } from './trusted-devices';
import { mayLogIn } from './email-verification';
import { noticeSignIn } from '../notifications/sign-in';
import { ProtocolResponse, type ProtocolRequest } from '../http/protocol-message';
import { afterSignInPath, enrollPath, isRequestHandle, secondFactorPath } from '../oauth/authorize/handle';

const NO_STORE = { 'cache-control': 'no-store' };

/** The browser request a sign-in step answers: only its cookies are read. */
export type BrowserRequest = Pick<ProtocolRequest, 'headers'>;

/**
 * What follows a first factor (password, or a passkey): a session, or the second step with a
 * pending login held for this browser. `handle` is the pending authorization request, if any;
 * without one, `next` (an account-area path checked by lib/http/return-path) is where the user
 * goes once signed in, carried through the second step or enrollment.
 */
export async function firstFactorResponse(
  request: BrowserRequest,
  userId: string,
  amr: string[],
  context: AuditContext,
  handle: unknown,
  { status = 200, next = null }: { status?: number; next?: string | null } = {},
): Promise<ProtocolResponse> {
  // OPTARE_EMAIL_VERIFICATION=required: only someone who proved the first factor learns this.
  if (!(await mayLogIn(userId))) {
    return ProtocolResponse.json(
      { error: 'email_unverified', message: 'Confirm your email address first: open the link we sent you, or ask for a new one at /verify-email.' },
      403,
      NO_STORE,
    );
  }
  const outcome = await afterFirstFactor(userId, amr, {
    trustedDeviceToken: readCookie(request.headers, trustedDeviceCookie().name),
    mfaRequired: (await runtimeSettings()).mfaRequired,
  });
  if (outcome.next === 'second_factor') {
    const response = ProtocolResponse.json({ redirectTo: withNext(secondFactorPath(handle), handle, next) }, status, NO_STORE);
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
  request: BrowserRequest,
  userId: string,
  amr: string[],
  context: AuditContext,
  status = 200,
  redirectTo = '/',
): Promise<ProtocolResponse> {
  const cookie = sessionCookie();
  await endSession(readCookie(request.headers, cookie.name), context);
  const { token } = await createSession(userId, amr, context);
  await noticeSignIn(userId, amr, context);
  const response = ProtocolResponse.json({ redirectTo }, status, NO_STORE);
  setCookie(response, cookie, token);
  clearCookie(response, pendingLoginCookie());
  return response;
}

/**
 * Sets `cookie` on the response: on a ProtocolResponse, replacing what it already set for that
 * cookie; on a Fetch Response (a Next.js route's), as one more Set-Cookie header.
 */
export function setCookie(response: ProtocolResponse | Response, cookie: BrowserCookie, value: string): void {
  addCookie(response, cookie.name, setCookieHeader(cookie, value));
}

export function clearCookie(response: ProtocolResponse | Response, cookie: BrowserCookie): void {
  addCookie(response, cookie.name, clearCookieHeader(cookie));
}

function addCookie(response: ProtocolResponse | Response, name: string, header: string): void {
  if (!(response instanceof ProtocolResponse)) return response.headers.append('set-cookie', header);
  const index = response.setCookies.findIndex((existing) => existing.startsWith(`${name}=`));
  if (index === -1) response.setCookies.push(header);
  else response.setCookies[index] = header;
}
