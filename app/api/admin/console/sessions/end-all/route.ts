import { readConsoleRequest } from '@/app/admin/_server/console';
import { endAllSessions } from '@/lib/admin/end-all-sessions';
import { jsonRoute } from '@/lib/http/json-route';
import { jsonError, jsonOk } from '@/lib/http/responses';

/**
 * Ends every user's sessions from the console (the Users page): `{ reason, confirm }` → the
 * counts. The administrator's own console session is kept; everyone else signs in again.
 */
export const POST = jsonRoute(async (request: Request) => {
  const parsed = await readConsoleRequest(request);
  if (!parsed.ok) return parsed.response;
  const result = await endAllSessions(parsed.admin.actor, parsed.body, { keepSessionId: parsed.admin.sessionId, typedConfirmation: true });
  if (!result.ok) return jsonError(400, 'invalid_request', 'Some fields need attention.', result.fieldErrors);
  return jsonOk(result.ended);
});
