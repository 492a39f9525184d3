import type { NextRequest } from 'next/server';
import { deleteUserPasskey } from '@/lib/auth/mfa-enrollment';
import { jsonOk } from '@/lib/http/responses';
import { accountError, readAccountRequest } from '@/app/_server/account-request';

/** Deletes one of the user's passkeys: `{ id }` → `{ recoveryCodesRemoved }`. Needs a fresh sign-in. */
export async function POST(request: NextRequest) {
  const parsed = await readAccountRequest(request);
  if (!parsed.ok) return parsed.response;
  const deleted = await deleteUserPasskey(parsed.session, parsed.body.id, parsed.context);
  if (!deleted.ok) return accountError(deleted.error === 'not_found' ? 'passkey_not_found' : deleted.error);
  return jsonOk({ recoveryCodesRemoved: deleted.recoveryCodesRemoved });
}
