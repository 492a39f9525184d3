import { readConsoleRequest } from '@/app/admin/_server/console';
import { grantAdmin } from '@/lib/admin/users';
import { jsonRoute } from '@/lib/http/json-route';
import { jsonOk } from '@/lib/http/responses';
import { userErrorResponse, type UserRouteContext } from '../../../respond';

/** Makes a user an administrator from the console: `{}` → `{ user, changed }`. */
export const POST = jsonRoute(async (request: Request, { params }: UserRouteContext) => {
  const parsed = await readConsoleRequest(request);
  if (!parsed.ok) return parsed.response;
  const result = await grantAdmin(parsed.admin.actor, (await params).userId);
  return result.ok ? jsonOk({ user: result.user, changed: result.changed }) : userErrorResponse(result.error);
});
