import type { NextRequest } from 'next/server';
import { revokeOtherSessions } from '@/lib/auth/account-sessions';
import { jsonRoute } from '@/lib/http/json-route';
import { jsonOk } from '@/lib/http/responses';
import { readFreshAccountRequest } from '@/app/_server/account-request';

/** Signs out every other session of the user: `{}` → `{ sessionsEnded }`. This one stays. */
export const POST = jsonRoute(async (request: NextRequest) => {
  const parsed = await readFreshAccountRequest(request, '/account/sessions');
  if (!parsed.ok) return parsed.response;
  return jsonOk({ sessionsEnded: await revokeOtherSessions(parsed.session, parsed.context) });
});
