import type { NextRequest } from 'next/server';
import { removeAuthenticatorApp } from '@/lib/auth/mfa-enrollment';
import { jsonRoute } from '@/lib/http/json-route';
import { jsonOk } from '@/lib/http/responses';
import { accountError, readAccountRequest } from '@/app/_server/account-request';

/** Removes the authenticator app: `{}` → `{ recoveryCodesRemoved }`. Needs a fresh sign-in. */
export const POST = jsonRoute(async (request: NextRequest) => {
  const parsed = await readAccountRequest(request);
  if (!parsed.ok) return parsed.response;
  const removed = await removeAuthenticatorApp(parsed.session, parsed.context);
  if (!removed.ok) return accountError(removed.error === 'not_found' ? 'totp_not_found' : removed.error);
  return jsonOk({ recoveryCodesRemoved: removed.recoveryCodesRemoved });
});
