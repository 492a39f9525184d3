import { readConsoleRequest } from '@/app/admin/_server/console';
import { disableUser } from '@/lib/admin/users';
import { jsonRoute } from '@/lib/http/json-route';
import { jsonOk } from '@/lib/http/responses';
import { userErrorResponse, type UserRouteContext } from '../../respond';

/** Disables a user from the console: `{}` → `{ user, changed, ended }`. Their sessions and grants end at once. */
export const POST = jsonRoute(async (request: Request, { params }: UserRouteContext) => {
  const parsed = await readConsoleRequest(request);
  if (!parsed.ok) return parsed.response;
  const result = await disableUser(parsed.admin.actor, (await params).userId);
  return result.ok ? jsonOk({ user: result.user, changed: result.changed, ended: result.ended }) : userErrorResponse(result.error);
});
