import { readConsoleRequest } from '@/app/admin/_server/console';
import { signOutEverywhere } from '@/lib/admin/users';
import { jsonRoute } from '@/lib/http/json-route';
import { jsonOk } from '@/lib/http/responses';
import { userErrorResponse, type UserRouteContext } from '../../respond';

/** Signs a user out everywhere from the console: `{}` → `{ sessionsEnded, grantsRevoked, trustedDevicesForgotten }`. */
export const POST = jsonRoute(async (request: Request, { params }: UserRouteContext) => {
  const parsed = await readConsoleRequest(request);
  if (!parsed.ok) return parsed.response;
  const result = await signOutEverywhere(parsed.admin.actor, (await params).userId);
  return result.ok ? jsonOk(result.ended) : userErrorResponse(result.error);
});
