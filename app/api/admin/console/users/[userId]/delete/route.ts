import { readConsoleRequest } from '@/app/admin/_server/console';
import { jsonRoute } from '@/lib/http/json-route';
import { jsonError, jsonOk } from '@/lib/http/responses';
import { adminDeleteUser, DELETION_ERRORS } from '@/lib/privacy/deletion';
import type { UserRouteContext } from '../../respond';

/** Deletes a user from the console: `{ reason, confirmEmail }` (the address typed) → `{ deleted, pseudonym }`. */
export const POST = jsonRoute(async (request: Request, { params }: UserRouteContext) => {
  const parsed = await readConsoleRequest(request);
  if (!parsed.ok) return parsed.response;
  const result = await adminDeleteUser(parsed.admin.actor, (await params).userId, parsed.body, { form: true });
  if (result.ok) return jsonOk({ deleted: true, pseudonym: result.pseudonym, eventsPseudonymised: result.eventsPseudonymised });
  if (result.error === 'invalid_request') return jsonError(400, 'invalid_request', 'Some fields need attention.', result.fieldErrors);
  const { status, message } = DELETION_ERRORS[result.error];
  const fieldErrors = result.error === 'email_mismatch' ? { confirmEmail: [message] } : undefined;
  return jsonError(status, result.error === 'user_not_found' ? 'not_found' : result.error, message, fieldErrors);
});
