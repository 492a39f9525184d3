import type { NextRequest } from 'next/server';
import { webauthnCeremonyCookie } from '@/lib/auth/cookies';
import { pendingLoginCookie } from '@/lib/auth/pending-login';
import { verifySecondFactor, type SecondFactorProof } from '@/lib/auth/second-factor';
import { jsonRoute } from '@/lib/http/json-route';
import { jsonError, retryAfterText, tooManyRequests } from '@/lib/http/responses';
import { readJsonRequest } from '@/lib/http/json-request';
import { clearCookie } from '@/lib/auth/sign-in-response';
import { completedSecondFactorResponse } from '@/app/_server/second-factor-response';

/**
 * The second step of a sign-in or step-up: `{ method: 'totp' | 'recovery_code', code }` or
 * `{ method: 'passkey', response }` (after /api/auth/second-factor/passkey-options), with
 * `rememberBrowser` and the pending authorization request's handle in `request`.
 */
export const POST = jsonRoute(async (request: NextRequest) => {
  const parsed = await readJsonRequest(request);
  if (!parsed.ok) return parsed.response;
  const { body, context } = parsed;
  const proof = proofOf(request, body);
  if (!proof) return jsonError(400, 'invalid_request', 'Choose how to verify: an authenticator code, a recovery code or a passkey.');

  const pendingToken = request.cookies.get(pendingLoginCookie().name)?.value;
  const result = await verifySecondFactor(pendingToken, proof, context);
  if (!result.ok) {
    if (result.error === 'rate_limited') {
      return tooManyRequests(result.retryAfterSeconds, `Too many wrong codes. Try again in ${retryAfterText(result.retryAfterSeconds)}.`);
    }
    if (result.error === 'invalid_code' && result.remaining > 0) {
      const message = proof.method === 'passkey' ? 'That passkey could not be verified.' : 'That code is not valid.';
      return Response.json(
        { error: 'invalid_code', message: `${message} ${result.remaining} ${result.remaining === 1 ? 'try' : 'tries'} left.`, remaining: result.remaining },
        { status: 401, headers: { 'cache-control': 'no-store' } },
      );
    }
    return Response.json(
      { error: 'sign_in_expired', message: 'This sign-in has expired or had too many wrong tries. Sign in again.', redirectTo: '/sign-in' },
      { status: 401, headers: { 'cache-control': 'no-store' } },
    );
  }
  const response = await completedSecondFactorResponse(request, result, body, context);
  if (proof.method === 'passkey') clearCookie(response, webauthnCeremonyCookie());
  return response.toResponse();
});

function proofOf(request: NextRequest, body: Record<string, unknown>): SecondFactorProof | null {
  switch (body.method) {
    case 'totp':
    case 'recovery_code':
      return { method: body.method, code: body.code };
    case 'passkey':
      return { method: 'passkey', ceremonyToken: request.cookies.get(webauthnCeremonyCookie().name)?.value, response: body.response };
    default:
      return null;
  }
}
