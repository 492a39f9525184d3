import type { NextRequest } from 'next/server';
import { recordAuditEvent } from '@/lib/audit/record';
import { webauthnCeremonyCookie } from '@/lib/auth/cookies';
import { verifyAuthentication } from '@/lib/auth/webauthn';
import { jsonRoute } from '@/lib/http/json-route';
import { jsonError } from '@/lib/http/responses';
import { accountReturnPath } from '@/lib/http/return-path';
import { readJsonRequest } from '@/app/_server/json-request';
import { clearCookie, firstFactorResponse } from '@/app/_server/sign-in-response';

/**
 * Signs in with a passkey: `{ response, request?, next? }` after /api/auth/passkey/options. A passkey
 * that verified the user is two factors; one that did not may still need the second step.
 */
export const POST = jsonRoute(async (request: NextRequest) => {
  const parsed = await readJsonRequest(request);
  if (!parsed.ok) return parsed.response;
  const { body, context } = parsed;
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
  return response;
});
