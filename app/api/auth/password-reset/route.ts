import type { NextRequest } from 'next/server';
import { resetPassword } from '@/lib/auth/password-reset';
import { jsonRoute } from '@/lib/http/json-route';
import { jsonError, jsonOk } from '@/lib/http/responses';
import { readJsonRequest } from '@/lib/http/json-request';

const INVALID_RESET_LINK = 'This reset link is not valid: it was used already, has expired, or a newer one was sent. Ask for a new one.';

/** Sets a new password with a reset link's token: `{ token, password }` → 200 `{ redirectTo }` to sign in. */
export const POST = jsonRoute(async (request: NextRequest) => {
  const parsed = await readJsonRequest(request);
  if (!parsed.ok) return parsed.response;
  const result = await resetPassword({ token: parsed.body.token, password: parsed.body.password }, parsed.context);
  if (!result.ok) {
    if ('fieldErrors' in result) return jsonError(400, 'invalid_request', 'Some fields need attention.', result.fieldErrors);
    return jsonError(400, 'invalid_token', INVALID_RESET_LINK);
  }
  return jsonOk({ redirectTo: '/sign-in?reset=1' });
});
