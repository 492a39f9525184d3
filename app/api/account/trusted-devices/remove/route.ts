import type { NextRequest } from 'next/server';
import { forgetRememberedBrowser } from '@/lib/auth/mfa-enrollment';
import { jsonRoute } from '@/lib/http/json-route';
import { jsonOk } from '@/lib/http/responses';
import { accountError, readAccountRequest } from '@/app/_server/account-request';

/** Forgets one of the user's remembered browsers: `{ id }` → `{}`. It asks for the second factor again. */
export const POST = jsonRoute(async (request: NextRequest) => {
  const parsed = await readAccountRequest(request);
  if (!parsed.ok) return parsed.response;
  const removed = await forgetRememberedBrowser(parsed.session, parsed.body.id, parsed.context);
  if (!removed.ok) return accountError('device_not_found');
  return jsonOk({});
});
