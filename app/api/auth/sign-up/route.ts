import type { NextRequest } from 'next/server';
import { createUser } from '@/lib/auth/accounts';
import { jsonError } from '@/lib/http/responses';
import { afterSignInPath } from '@/lib/oauth/authorize/handle';
import { readJsonRequest } from '@/app/_server/json-request';
import { signedInResponse } from '@/app/_server/sign-in-response';

/**
 * Creates an account from the sign-up form and signs the new user in. With `request` (a pending
 * authorization request's handle) the answer's redirectTo resumes that request.
 */
export async function POST(request: NextRequest) {
  const parsed = await readJsonRequest(request);
  if (!parsed.ok) return parsed.response;
  const { body, context } = parsed;

  const result = await createUser({ email: body.email, password: body.password, name: body.name ?? '' }, context, 'sign_up');
  if (!result.ok) {
    if ('fieldErrors' in result) {
      return jsonError(400, 'invalid_request', 'Some fields need attention.', result.fieldErrors);
    }
    return jsonError(409, 'email_taken', 'An account with this email already exists. Sign in instead.', {
      email: ['An account with this email already exists.'],
    });
  }
  return signedInResponse(request, result.user.id, ['pwd'], context, 201, afterSignInPath(body.request));
}
