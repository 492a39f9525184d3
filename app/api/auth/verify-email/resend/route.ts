import type { NextRequest } from 'next/server';
import { resendVerificationEmail } from '@/lib/auth/email-verification';
import { jsonRoute } from '@/lib/http/json-route';
import { jsonError, jsonOk, retryAfterText, tooManyRequests } from '@/lib/http/responses';
import { readJsonRequest } from '@/lib/http/json-request';

/** Sends a new verification link: `{ email }` → 200 `{ redirectTo }`, the same answer for every address. */
export const POST = jsonRoute(async (request: NextRequest) => {
  const parsed = await readJsonRequest(request);
  if (!parsed.ok) return parsed.response;
  const result = await resendVerificationEmail({ email: parsed.body.email }, parsed.context);
  if (!result.ok) {
    if ('fieldErrors' in result) return jsonError(400, 'invalid_request', 'Some fields need attention.', result.fieldErrors);
    return tooManyRequests(result.retryAfterSeconds, `Too many requests from your network. Try again in ${retryAfterText(result.retryAfterSeconds)}.`);
  }
  return jsonOk({ redirectTo: '/verify-email?sent=1' });
});
