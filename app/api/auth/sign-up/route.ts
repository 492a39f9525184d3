import type { NextRequest } from 'next/server';
import { createUser } from '@/lib/auth/accounts';
import { notifyOwnerOfSignUpAttempt } from '@/lib/auth/sign-up-attempts';
import { jsonRoute } from '@/lib/http/json-route';
import { jsonError, jsonOk, retryAfterText, tooManyRequests } from '@/lib/http/responses';
import { emailVerificationRequired, sendVerificationEmail } from '@/lib/auth/email-verification';
import { readJsonRequest } from '@/lib/http/json-request';
import { firstFactorResponse } from '@/lib/auth/sign-in-response';

/** What a sign-up answers while email verification is required: check your inbox. */
const CHECK_YOUR_EMAIL = { redirectTo: '/verify-email?sent=1' };

/**
 * Creates an account from the sign-up form and signs the new user in. With `request` (a pending
 * authorization request's handle) the answer's redirectTo resumes that request.
 *
 * A taken address: while email verification is required (OPTARE_EMAIL_VERIFICATION or the
 * console's setting), the answer is the same as for a new address and the owner gets an email
 * instead (lib/auth/sign-up-attempts.ts), so sign-up reveals no account. With verification
 * optional a new account is signed in at once, which a taken address cannot imitate: 409
 * email_taken, and the per-address sign-up limit (OPTARE_RATE_LIMIT_SIGN_UP_IP) bounds probing.
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
    if (await emailVerificationRequired()) {
      await notifyOwnerOfSignUpAttempt(body.email, context);
      return jsonOk(CHECK_YOUR_EMAIL, 201);
    }
    return jsonError(409, 'email_taken', 'An account with this email already exists. Sign in instead.', {
      email: ['An account with this email already exists.'],
    });
  }
  await sendVerificationEmail(result.user.id, context);
  // No session until the link in that email is used.
  if (await emailVerificationRequired()) return jsonOk(CHECK_YOUR_EMAIL, 201);
  // A new account has no second factor: this signs in (or, under the MFA policy, enrolls one next).
  return (await firstFactorResponse(request, result.user.id, ['pwd'], context, body.request, { status: 201 })).toResponse();
});
