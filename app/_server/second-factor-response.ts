import 'server-only';
import { recordAuditEvent } from '@/lib/audit/record';
import type { AuditContext } from '@/lib/audit/events';
import { pendingLoginCookie } from '@/lib/auth/pending-login';
import type { SecondFactorResult } from '@/lib/auth/second-factor';
import { readCookie } from '@/lib/auth/cookies';
import { sessionCookie, stepUpSession, validateSessionToken } from '@/lib/auth/sessions';
import { trustBrowser, trustedDeviceCookie } from '@/lib/auth/trusted-devices';
import { accountReturnPath } from '@/lib/http/return-path';
import { clearCookie, destinationAfterSignIn, setCookie, signedInResponse, type BrowserRequest } from '@/lib/auth/sign-in-response';
import { ProtocolResponse } from '@/lib/http/protocol-message';

/**
 * A verified second factor: a new session for a sign-in, or the step-up of the browser's own
 * session (same session, new token, both factors). Trusts the browser when the user asked.
 * Goes on to the pending authorization request, else to `next` (an account-area path), else home.
 */
export async function completedSecondFactorResponse(
  request: BrowserRequest,
  result: Extract<SecondFactorResult, { ok: true }>,
  body: Record<string, unknown>,
  context: AuditContext,
): Promise<ProtocolResponse> {
  const { login, amr } = result;
  const redirectTo = destinationAfterSignIn(body.request, accountReturnPath(body.next));
  let response: ProtocolResponse;
  if (login.purpose === 'sign_in') {
    response = await signedInResponse(request, login.userId, amr, context, 200, redirectTo);
  } else {
    const cookie = sessionCookie();
    const session = await validateSessionToken(readCookie(request.headers, cookie.name), context);
    // The step-up is for the session this browser holds, and only that one.
    if (!session || session.id !== login.sessionId) {
      return sessionEnded();
    }
    const token = await stepUpSession(session.id, amr);
    if (!token) return sessionEnded();
    await recordAuditEvent({ type: 'auth.step_up', outcome: 'success', actorUserId: login.userId, subject: session.id, details: { amr }, context });
    response = ProtocolResponse.json({ redirectTo }, 200, { 'cache-control': 'no-store' });
    setCookie(response, cookie, token);
    clearCookie(response, pendingLoginCookie());
  }
  if (body.rememberBrowser === true) {
    const trust = await trustBrowser(login.userId, context);
    if (trust) setCookie(response, trustedDeviceCookie(), trust);
  }
  return response;
}

function sessionEnded(): ProtocolResponse {
  return ProtocolResponse.json(
    { error: 'sign_in_expired', message: 'Your session has ended. Sign in again.', redirectTo: '/sign-in' },
    401,
    { 'cache-control': 'no-store' },
  );
}
