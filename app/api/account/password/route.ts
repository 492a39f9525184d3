import type { NextRequest } from 'next/server';
import { changePassword } from '@/lib/auth/password-change';
import { jsonRoute } from '@/lib/http/json-route';
import { jsonOk, retryAfterText, tooManyRequests } from '@/lib/http/responses';
import { accountError, accountFieldErrors, readFreshAccountRequest } from '@/app/_server/account-request';

/**
 * Changes the signed-in user's password: `{ currentPassword, newPassword }` →
 * `{ sessionsEnded }`. Every other session ends and every app must sign in again; this one stays.
 */
export const POST = jsonRoute(async (request: NextRequest) => {
  const parsed = await readFreshAccountRequest(request, '/account/password');
  if (!parsed.ok) return parsed.response;
  const { body, session, context } = parsed;
  const result = await changePassword(session, { currentPassword: body.currentPassword, newPassword: body.newPassword }, context);
  if (result.ok) return jsonOk({ sessionsEnded: result.sessionsEnded, appsSignedOut: result.grantsRevoked });
  if ('fieldErrors' in result) return accountFieldErrors(result.fieldErrors);
  if (result.error === 'rate_limited') {
    return tooManyRequests(result.retryAfterSeconds, `Too many wrong passwords. Try again in ${retryAfterText(result.retryAfterSeconds)}.`);
  }
  return accountError('wrong_password');
});
