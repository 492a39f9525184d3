import type { NextRequest } from 'next/server';
import { updateProfile } from '@/lib/auth/profile';
import { jsonRoute } from '@/lib/http/json-route';
import { jsonOk } from '@/lib/http/responses';
import { accountError, accountFieldErrors, readAccountRequest } from '@/app/_server/account-request';

/** Changes the signed-in user's name: `{ name }` → `{ name }`. */
export const POST = jsonRoute(async (request: NextRequest) => {
  const parsed = await readAccountRequest(request);
  if (!parsed.ok) return parsed.response;
  const result = await updateProfile(parsed.session.userId, { name: parsed.body.name }, parsed.context);
  if (!result.ok) return 'fieldErrors' in result ? accountFieldErrors(result.fieldErrors) : accountError('session_not_found');
  return jsonOk({ name: result.name });
});
