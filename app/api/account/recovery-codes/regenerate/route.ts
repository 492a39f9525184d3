import type { NextRequest } from 'next/server';
import { regenerateRecoveryCodes } from '@/lib/auth/mfa-enrollment';
import { jsonRoute } from '@/lib/http/json-route';
import { jsonOk } from '@/lib/http/responses';
import { accountError, readAccountRequest } from '@/app/_server/account-request';

/** A new set of recovery codes: `{}` → `{ codes }`, shown once; the old set stops working. Needs a fresh sign-in. */
export const POST = jsonRoute(async (request: NextRequest) => {
  const parsed = await readAccountRequest(request);
  if (!parsed.ok) return parsed.response;
  const regenerated = await regenerateRecoveryCodes(parsed.session, parsed.context);
  if (!regenerated.ok) return accountError(regenerated.error);
  return jsonOk({ codes: regenerated.codes });
});
