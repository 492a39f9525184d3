import type { NextRequest } from 'next/server';
import { authenticate } from '@/lib/auth/accounts';
import { jsonError } from '@/lib/http/responses';
import { afterSignInPath } from '@/lib/oauth/authorize/handle';
import { readJsonRequest } from '@/app/_server/json-request';
import { signedInResponse } from '@/app/_server/sign-in-response';

/**
 * Signs in with email and password. One message for every credential failure. With `request`
 * (a pending authorization request's handle) the answer's redirectTo resumes that request.
 */
export async function POST(request: NextRequest) {
  const parsed = await readJsonRequest(request);
  if (!parsed.ok) return parsed.response;
  const { body, context } = parsed;

  const result = await authenticate({ email: body.email, password: body.password }, context);
  if (!result.ok) {
    if ('fieldErrors' in result) {
      return jsonError(400, 'invalid_request', 'Some fields need attention.', result.fieldErrors);
    }
    if (result.error === 'account_disabled') {
      return jsonError(403, 'account_disabled', 'This account is disabled. Contact your administrator.');
    }
    return jsonError(401, 'invalid_credentials', 'Incorrect email or password.');
  }
  return signedInResponse(request, result.user.id, ['pwd'], context, 200, afterSignInPath(body.request));
}
