import type { NextRequest } from 'next/server';
import { confirmEmailChange } from '@/lib/auth/email-change';
import { jsonRoute } from '@/lib/http/json-route';
import { jsonError, jsonOk } from '@/lib/http/responses';
import { readJsonRequest } from '@/lib/http/json-request';

/** Uses an address-change link's token: `{ token }` → 200 `{ redirectTo }`; the account's address changes now. */
export const POST = jsonRoute(async (request: NextRequest) => {
  const parsed = await readJsonRequest(request);
  if (!parsed.ok) return parsed.response;
  const result = await confirmEmailChange({ token: parsed.body.token }, parsed.context);
  if (!result.ok) {
    if (result.error === 'email_taken') return jsonError(409, 'email_taken', 'Another account uses this address now, so it cannot become yours.');
    return jsonError(400, 'invalid_token', 'This link is not valid: it was used already, has expired, or a newer one was sent. Change the address again from your profile.');
  }
  return jsonOk({ redirectTo: '/confirm-email-change?done=1' });
});
