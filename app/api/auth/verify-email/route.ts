import type { NextRequest } from 'next/server';
import { verifyEmail } from '@/lib/auth/email-verification';
import { jsonRoute } from '@/lib/http/json-route';
import { jsonError, jsonOk } from '@/lib/http/responses';
import { readJsonRequest } from '@/lib/http/json-request';

/** Uses a verification link's token: `{ token }` → 200 `{ redirectTo }`. */
export const POST = jsonRoute(async (request: NextRequest) => {
  const parsed = await readJsonRequest(request);
  if (!parsed.ok) return parsed.response;
  const result = await verifyEmail({ token: parsed.body.token }, parsed.context);
  if (!result.ok) {
    return jsonError(400, 'invalid_token', 'This confirmation link is not valid: it was used already, has expired, or a newer one was sent. Ask for a new one.');
  }
  return jsonOk({ redirectTo: '/verify-email?verified=1' });
});
