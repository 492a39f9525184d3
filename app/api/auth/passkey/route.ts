import type { NextRequest } from 'next/server';
import { recordAuditEvent } from '@/lib/audit/record';
import { webauthnCeremonyCookie } from '@/lib/auth/cookies';
import { verifyAuthentication } from '@/lib/auth/webauthn';
import { jsonRoute } from '@/lib/http/json-route';
import { jsonError, retryAfterText, tooManyRequests } from '@/lib/http/responses';
import { accountReturnPath } from '@/lib/http/return-path';
import { consume, limitKey } from '@/lib/rate-limit/limiter';
import { readJsonRequest } from '@/lib/http/json-request';
import { clearCookie, firstFactorResponse } from '@/lib/auth/sign-in-response';

/**
 * Signs in with a passkey: `{ response, request?, next? }` after /api/auth/passkey/options. A passkey
 * that verified the user is two factors; one that did not may still need the second step.
 * Every attempt counts against its IP address (OPTARE_RATE_LIMIT_PASSKEY_SIGN_IN) before anything
 * is checked: past the limit, 429 and the ceremony is left as it was.
 */
export const POST = jsonRoute(async (request: NextRequest) => {
  const parsed = await readJsonRequest(request);
  if (!parsed.ok) return parsed.response;
  const { body, context } = parsed;
  const gate = await consume('passkeySignInIp', limitKey('ip', context.ip ?? 'unknown'), context);
  if (!gate.allowed) {
    return tooManyRequests(gate.retryAfterSeconds, `Too many passkey sign-in attempts from your network. Try again in ${retryAfterText(gate.retryAfterSeconds)}.`);
  }
  const ceremonyToken = request.cookies.get(webauthnCeremonyCookie().name)?.value;
  const verified = await verifyAuthentication('authentication', ceremonyToken, body.response, null, context);
  if (!verified.ok) return jsonError(401, 'passkey_failed', 'That passkey could not be verified. Try again, or sign in with your password.');
  await recordAuditEvent({
    type: 'auth.sign_in',
    outcome: 'success',
    actorUserId: verified.userId,
    subject: verified.userId,
    details: { method: 'passkey', amr: verified.amr },
    context,
  });
  const response = await firstFactorResponse(request, verified.userId, verified.amr, context, body.request, {
    next: accountReturnPath(body.next),
  });
  clearCookie(response, webauthnCeremonyCookie());
  return response.toResponse();
});
