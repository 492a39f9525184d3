import { readConsoleRequest } from '@/app/admin/_server/console';
import { clientFailureResponse, rotateAdminClientSecret } from '@/lib/admin/clients';
import { jsonRoute } from '@/lib/http/json-route';
import { jsonError, jsonOk } from '@/lib/http/responses';

type Context = { params: Promise<{ clientId: string }> };

/**
 * Rotates a client's secret from the console: `{ immediate?: boolean }` →
 * `{ client, clientSecret, previousSecretExpiresAt }`. The new secret is in this answer only; the
 * old one works until previousSecretExpiresAt (null: it stopped at once).
 */
export const POST = jsonRoute(async (request: Request, { params }: Context) => {
  const parsed = await readConsoleRequest(request);
  if (!parsed.ok) return parsed.response;
  const immediate = 'immediate' in parsed.body ? parsed.body.immediate : false;
  if (typeof immediate !== 'boolean') {
    return jsonError(400, 'invalid_request', 'Some fields need attention.', { immediate: ['immediate must be true or false.'] });
  }
  const { clientId } = await params;
  const result = await rotateAdminClientSecret(clientId, parsed.admin.actor, { immediate });
  return result.ok
    ? jsonOk({ client: result.client, clientSecret: result.secret, previousSecretExpiresAt: result.previousSecretExpiresAt })
    : clientFailureResponse(result);
});
