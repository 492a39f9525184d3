import { readConsoleRequest } from '@/app/admin/_server/console';
import { sendUserPasswordReset } from '@/lib/admin/users';
import { jsonRoute } from '@/lib/http/json-route';
import { jsonOk } from '@/lib/http/responses';
import { userErrorResponse, type UserRouteContext } from '../../respond';

/** Emails a user a password-reset link from the console: `{}` → `{ sent: true }`. */
export const POST = jsonRoute(async (request: Request, { params }: UserRouteContext) => {
  const parsed = await readConsoleRequest(request);
  if (!parsed.ok) return parsed.response;
  const result = await sendUserPasswordReset(parsed.admin.actor, (await params).userId);
  if (result.ok) return jsonOk({ sent: true });
  return userErrorResponse(result.error, result.error === 'rate_limited' ? result.retryAfterSeconds : undefined);
});
