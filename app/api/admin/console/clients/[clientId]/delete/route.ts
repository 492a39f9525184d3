import { readConsoleRequest } from '@/app/admin/_server/console';
import { clientFailureResponse, deleteAdminClient, getAdminClient } from '@/lib/admin/clients';
import { jsonRoute } from '@/lib/http/json-route';
import { jsonError, jsonOk } from '@/lib/http/responses';

type Context = { params: Promise<{ clientId: string }> };

/**
 * Deletes a client from the console: `{ name }`, the client's name as the administrator typed it
 * to confirm (so a stale page cannot delete a client it does not show) → `{ deleted: true }`.
 */
export const POST = jsonRoute(async (request: Request, { params }: Context) => {
  const parsed = await readConsoleRequest(request);
  if (!parsed.ok) return parsed.response;
  const { clientId } = await params;
  const client = await getAdminClient(clientId);
  if (!client) return clientFailureResponse({ error: 'not_found' });
  if (parsed.body.name !== client.name) {
    return jsonError(400, 'confirmation_mismatch', 'Type the client’s name exactly to confirm.', {
      name: ['Type the client’s name exactly as shown to confirm.'],
    });
  }
  const result = await deleteAdminClient(clientId, parsed.admin.actor);
  return result.ok ? jsonOk({ deleted: true }) : clientFailureResponse(result);
});
