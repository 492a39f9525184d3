import { readConsoleRequest } from '@/app/admin/_server/console';
import { API_BODY_LIMIT } from '@/lib/admin/api/define';
import { clientFailureResponse, updateAdminClient } from '@/lib/admin/clients';
import { jsonRoute } from '@/lib/http/json-route';
import { jsonOk } from '@/lib/http/responses';

type Context = { params: Promise<{ clientId: string }> };

/**
 * Changes a client's settings from the console (the edit form sends all of them) →
 * `{ client, clientSecret, changed }`; clientSecret is a new secret, in this answer only, when
 * the change made the client start using one.
 */
export const POST = jsonRoute(async (request: Request, { params }: Context) => {
  const parsed = await readConsoleRequest(request, { limit: API_BODY_LIMIT });
  if (!parsed.ok) return parsed.response;
  const { clientId } = await params;
  const result = await updateAdminClient(clientId, parsed.body, parsed.admin.actor);
  return result.ok ? jsonOk({ client: result.client, clientSecret: result.secret, changed: result.changed }) : clientFailureResponse(result);
});
