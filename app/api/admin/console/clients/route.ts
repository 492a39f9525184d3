import { readConsoleRequest } from '@/app/admin/_server/console';
import { API_BODY_LIMIT } from '@/lib/admin/api/define';
import { clientFailureResponse, createAdminClient } from '@/lib/admin/clients';
import { jsonRoute } from '@/lib/http/json-route';
import { jsonOk } from '@/lib/http/responses';

/**
 * Registers a client from the console: the settings (clientSettingsSchema, the form's schema,
 * checked again here) → 201 `{ client, clientSecret }`. The secret is in this answer only.
 */
export const POST = jsonRoute(async (request: Request) => {
  const parsed = await readConsoleRequest(request, { limit: API_BODY_LIMIT });
  if (!parsed.ok) return parsed.response;
  const result = await createAdminClient(parsed.body, parsed.admin.actor);
  return result.ok ? jsonOk({ client: result.client, clientSecret: result.secret }, 201) : clientFailureResponse(result);
});
