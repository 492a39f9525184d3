import type { NextRequest } from 'next/server';
import { deleteUserPasskey } from '@/lib/auth/mfa-enrollment';
import { jsonRoute } from '@/lib/http/json-route';
import { jsonOk } from '@/lib/http/responses';
import { accountError, readAccountRequest } from '@/app/_server/account-request';

/** Deletes one of the user's passkeys: `{ id }` → `{ recoveryCodesRemoved }`. Needs a fresh sign-in. */
export const POST = jsonRoute(async (request: NextRequest) => {
  const parsed = await readAccountRequest(request);
  if (!parsed.ok) return parsed.response;
  const deleted = await deleteUserPasskey(parsed.session, parsed.body.id, parsed.context);
  if (!deleted.ok) return accountError(deleted.error === 'not_found' ? 'passkey_not_found' : deleted.error);
  return jsonOk({ recoveryCodesRemoved: deleted.recoveryCodesRemoved });
});
