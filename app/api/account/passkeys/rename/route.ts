import type { NextRequest } from 'next/server';
import { renameUserPasskey } from '@/lib/auth/mfa-enrollment';
import { jsonRoute } from '@/lib/http/json-route';
import { jsonOk } from '@/lib/http/responses';
import { accountError, readAccountRequest } from '@/app/_server/account-request';

/** Renames one of the user's passkeys: `{ id, nickname }` → `{ passkey: { id, nickname } }`. */
export const POST = jsonRoute(async (request: NextRequest) => {
  const parsed = await readAccountRequest(request);
  if (!parsed.ok) return parsed.response;
  const renamed = await renameUserPasskey(parsed.session, parsed.body.id, parsed.body.nickname, parsed.context);
  if (!renamed.ok) return accountError(renamed.error === 'not_found' ? 'passkey_not_found' : renamed.error);
  return jsonOk({ passkey: { id: renamed.passkey.id, nickname: renamed.passkey.nickname } });
});
