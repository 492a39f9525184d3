import { readConsoleRequest } from '@/app/admin/_server/console';
import { resetUserMfa } from '@/lib/admin/users';
import { jsonRoute } from '@/lib/http/json-route';
import { jsonError, jsonOk } from '@/lib/http/responses';
import { userErrorResponse, type UserRouteContext } from '../../respond';

/** Resets a user's MFA from the console: `{ reason }` → what was removed. The reason is audited. */
export const POST = jsonRoute(async (request: Request, { params }: UserRouteContext) => {
  const parsed = await readConsoleRequest(request);
  if (!parsed.ok) return parsed.response;
  const result = await resetUserMfa(parsed.admin.actor, (await params).userId, parsed.body);
  if (result.ok) return jsonOk(result.removed);
  if (result.error === 'invalid_request') return jsonError(400, 'invalid_request', 'Some fields need attention.', result.fieldErrors);
  return userErrorResponse(result.error);
});
