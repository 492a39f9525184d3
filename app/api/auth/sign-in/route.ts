import type { NextRequest } from 'next/server';
import { authenticate } from '@/lib/auth/accounts';
import { jsonRoute } from '@/lib/http/json-route';
import { jsonError, retryAfterText, tooManyRequests } from '@/lib/http/responses';
import { accountReturnPath } from '@/lib/http/return-path';
import { readJsonRequest } from '@/app/_server/json-request';
import { firstFactorResponse } from '@/app/_server/sign-in-response';

/**
 * Signs in with email and password. One message for every credential failure. With `request`
 * (a pending authorization request's handle) the answer's redirectTo resumes that request;
 * without it, `next` may name an account-area path to return to (anything else is ignored).
 */
export const POST = jsonRoute(async (request: NextRequest) => {
  const parsed = await readJsonRequest(request);
  if (!parsed.ok) return parsed.response;
  const { body, context } = parsed;

  const result = await authenticate({ email: body.email, password: body.password }, context);
  if (!result.ok) {
    if ('fieldErrors' in result) {
      return jsonError(400, 'invalid_request', 'Some fields need attention.', result.fieldErrors);
    }
    if (result.error === 'rate_limited') {
      return tooManyRequests(result.retryAfterSeconds, `Too many failed sign-ins. Try again in ${retryAfterText(result.retryAfterSeconds)}.`);
    }
    if (result.error === 'account_disabled') {
      return jsonError(403, 'account_disabled', 'This account is disabled. Contact your administrator.');
    }
    return jsonError(401, 'invalid_credentials', 'Incorrect email or password.');
  }
  return firstFactorResponse(request, result.user.id, ['pwd'], context, body.request, { next: accountReturnPath(body.next) });
});
