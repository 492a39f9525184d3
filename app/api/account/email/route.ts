import type { NextRequest } from 'next/server';
import { requestEmailChange } from '@/lib/auth/email-change';
import { jsonRoute } from '@/lib/http/json-route';
import { jsonError, jsonOk, retryAfterText, tooManyRequests } from '@/lib/http/responses';
import { readFreshAccountRequest } from '@/app/_server/account-request';

/**
 * Starts changing the signed-in user's address: `{ email, password }` → 200 `{ sent: true }`. A
 * link goes to the new address and a notice to the old one; nothing changes until it is used.
 */
export const POST = jsonRoute(async (request: NextRequest) => {
  const parsed = await readFreshAccountRequest(request, '/account');
  if (!parsed.ok) return parsed.response;
  const result = await requestEmailChange(parsed.session.userId, { email: parsed.body.email, password: parsed.body.password }, parsed.context);
  if (!result.ok) {
    if ('fieldErrors' in result) return jsonError(400, 'invalid_request', 'Some fields need attention.', result.fieldErrors);
    if (result.error === 'rate_limited') return tooManyRequests(result.retryAfterSeconds, `Too many attempts. Try again in ${retryAfterText(result.retryAfterSeconds)}.`);
    if (result.error === 'same_email') return jsonError(400, 'invalid_request', 'This is already your address.', { email: ['This is already your address.'] });
    return jsonError(400, 'wrong_password', 'Your current password is not correct.', { password: ['Your current password is not correct.'] });
  }
  return jsonOk({ sent: true });
});
