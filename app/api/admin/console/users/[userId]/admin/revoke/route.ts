import { readConsoleRequest } from '@/app/admin/_server/console';
import { revokeAdmin } from '@/lib/admin/users';
import { jsonRoute } from '@/lib/http/json-route';
import { jsonOk } from '@/lib/http/responses';
import { userErrorResponse, type UserRouteContext } from '../../../respond';

/** Removes a user's admin role from the console: `{}` → `{ user, changed }`. Not your own, not the last administrator's. */
export const POST = jsonRoute(async (request: Request, { params }: UserRouteContext) => {
  const parsed = await readConsoleRequest(request);
  if (!parsed.ok) return parsed.response;
  const result = await revokeAdmin(parsed.admin.actor, (await params).userId);
  return result.ok ? jsonOk({ user: result.user, changed: result.changed }) : userErrorResponse(result.error);
});
