import type { NextRequest } from 'next/server';
import { createUser } from '@/lib/auth/accounts';
import { jsonRoute } from '@/lib/http/json-route';
import { jsonError, jsonOk, retryAfterText, tooManyRequests } from '@/lib/http/responses';
import { emailVerificationRequired, sendVerificationEmail } from '@/lib/auth/email-verification';
import { readJsonRequest } from '@/app/_server/json-request';
import { firstFactorResponse } from '@/app/_server/sign-in-response';

/**
 * Creates an account from the sign-up form and signs the new user in. With `request` (a pending
 * authorization request's handle) the answer's redirectTo resumes that request.
 */
export const POST = jsonRoute(async (request: NextRequest) => {
  const parsed = await readJsonRequest(request);
  if (!parsed.ok) return parsed.response;
  const { body, context } = parsed;

  const result = await createUser({ email: body.email, password: body.password, name: body.name ?? '' }, context, 'sign_up');
  if (!result.ok) {
    if ('fieldErrors' in result) {
      return jsonError(400, 'invalid_request', 'Some fields need attention.', result.fieldErrors);
    }
    if (result.error === 'rate_limited') {
      return tooManyRequests(result.retryAfterSeconds, `Too many sign-ups from your network. Try again in ${retryAfterText(result.retryAfterSeconds)}.`);
    }
    return jsonError(409, 'email_taken', 'An account with this email already exists. Sign in instead.', {
      email: ['An account with this email already exists.'],
    });
  }
  await sendVerificationEmail(result.user.id, context);
  // OPTARE_EMAIL_VERIFICATION=required: no session until the link in that email is used.
  if (await emailVerificationRequired()) return jsonOk({ redirectTo: '/verify-email?sent=1' }, 201);
  // A new account has no second factor: this signs in (or, under the MFA policy, enrolls one next).
  return firstFactorResponse(request, result.user.id, ['pwd'], context, body.request, { status: 201 });
});
