import type { NextRequest } from 'next/server';
import { narrowConsent } from '@/lib/oauth/connected-apps';
import { jsonRoute } from '@/lib/http/json-route';
import { jsonOk } from '@/lib/http/responses';
import { accountError, readAccountRequest } from '@/app/_server/account-request';

/**
 * Narrows an app's consent: `{ clientId, scopes }` (the scopes to keep) → `{ outcome, scopes? }`.
 * Scopes can only be removed; removing `openid` (or all) disconnects the app.
 */
export const POST = jsonRoute(async (request: NextRequest) => {
  const parsed = await readAccountRequest(request);
  if (!parsed.ok) return parsed.response;
  const result = await narrowConsent(parsed.session.userId, parsed.body.clientId, parsed.body.scopes, parsed.context);
  if (!result.ok) return accountError(result.error);
  return jsonOk(result.outcome === 'disconnected' ? { outcome: result.outcome } : { outcome: result.outcome, scopes: result.scopes });
});
