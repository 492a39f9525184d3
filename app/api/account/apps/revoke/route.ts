import type { NextRequest } from 'next/server';
import { disconnectApp } from '@/lib/oauth/connected-apps';
import { jsonRoute } from '@/lib/http/json-route';
import { jsonOk } from '@/lib/http/responses';
import { accountError, readAccountRequest } from '@/app/_server/account-request';

/** Disconnects an app: `{ clientId }` → `{}`. Its consent goes and its tokens for this user stop working. */
export const POST = jsonRoute(async (request: NextRequest) => {
  const parsed = await readAccountRequest(request);
  if (!parsed.ok) return parsed.response;
  const result = await disconnectApp(parsed.session.userId, parsed.body.clientId, parsed.context);
  if (!result.ok) return accountError('app_not_found');
  return jsonOk({});
});
