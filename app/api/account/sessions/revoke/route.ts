import type { NextRequest } from 'next/server';
import { revokeSession } from '@/lib/auth/account-sessions';
import { jsonRoute } from '@/lib/http/json-route';
import { jsonOk } from '@/lib/http/responses';
import { accountError, readFreshAccountRequest } from '@/app/_server/account-request';

/** Signs out one of the user's other sessions: `{ id }` → `{}`. Its next request finds no session. */
export const POST = jsonRoute(async (request: NextRequest) => {
  const parsed = await readFreshAccountRequest(request, '/account/sessions');
  if (!parsed.ok) return parsed.response;
  const result = await revokeSession(parsed.session, parsed.body.id, parsed.context);
  if (!result.ok) return accountError(result.error);
  return jsonOk({});
});
