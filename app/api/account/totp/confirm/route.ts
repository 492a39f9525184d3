import type { NextRequest } from 'next/server';
import { confirmAuthenticatorApp } from '@/lib/auth/mfa-enrollment';
import { jsonRoute } from '@/lib/http/json-route';
import { jsonOk } from '@/lib/http/responses';
import { accountError, readAccountRequest } from '@/app/_server/account-request';

/**
 * Completes the authenticator app's setup: `{ code }` → `{ recoveryCodes }`, the first set of
 * recovery codes when this is the user's first factor (shown once), else null.
 */
export const POST = jsonRoute(async (request: NextRequest) => {
  const parsed = await readAccountRequest(request);
  if (!parsed.ok) return parsed.response;
  const confirmed = await confirmAuthenticatorApp(parsed.session, parsed.body.code, parsed.context);
  if (!confirmed.ok) return accountError(confirmed.error);
  return jsonOk({ recoveryCodes: confirmed.recoveryCodes });
});
