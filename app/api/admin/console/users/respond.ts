import 'server-only';
import { ADMIN_USER_ERRORS, type AdminUserError } from '@/lib/admin/users';
import { jsonError, retryAfterText, tooManyRequests } from '@/lib/http/responses';

/** The route context of /api/admin/console/users/[userId]/…. */
export type UserRouteContext = { params: Promise<{ userId: string }> };

/** The console's answer for one of lib/admin/users.ts's errors, in the JSON API's error shape. */
export function userErrorResponse(error: AdminUserError, retryAfterSeconds?: number): Response {
  const { status, message } = ADMIN_USER_ERRORS[error];
  if (error === 'rate_limited' && retryAfterSeconds !== undefined) {
    return tooManyRequests(retryAfterSeconds, `Too many password-reset emails were sent to this address. Try again in ${retryAfterText(retryAfterSeconds)}.`);
  }
  return jsonError(status, error === 'user_not_found' ? 'not_found' : error, error === 'user_not_found' ? 'This user no longer exists. Reload the page.' : message);
}
