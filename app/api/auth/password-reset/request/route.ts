import type { NextRequest } from 'next/server';
import { requestPasswordReset } from '@/lib/auth/password-reset';
import { jsonRoute } from '@/lib/http/json-route';
import { jsonError, jsonOk, retryAfterText, tooManyRequests } from '@/lib/http/responses';
import { readJsonRequest } from '@/lib/http/json-request';

/**
 * Asks for a password-reset link: `{ email }` → 200 `{ redirectTo }`, the same answer whether or
 * not an account has that address (the email goes out in the background).
 */
export const POST = jsonRoute(async (request: NextRequest) => {
  const parsed = await readJsonRequest(request);
  if (!parsed.ok) return parsed.response;
  const result = await requestPasswordReset({ email: parsed.body.email }, parsed.context);
  if (!result.ok) {
    if ('fieldErrors' in result) return jsonError(400, 'invalid_request', 'Some fields need attention.', result.fieldErrors);
    return tooManyRequests(result.retryAfterSeconds, `Too many requests from your network. Try again in ${retryAfterText(result.retryAfterSeconds)}.`);
  }
  return jsonOk({ redirectTo: '/forgot-password?sent=1' });
});
