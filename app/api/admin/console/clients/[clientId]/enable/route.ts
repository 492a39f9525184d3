import { readConsoleRequest } from '@/app/admin/_server/console';
import { clientFailureResponse, setAdminClientEnabled } from '@/lib/admin/clients';
import { jsonRoute } from '@/lib/http/json-route';
import { jsonOk } from '@/lib/http/responses';

type Context = { params: Promise<{ clientId: string }> };

/** Enables a client from the console: `{}` → `{ client, changed }`. */
export const POST = jsonRoute(async (request: Request, { params }: Context) => {
  const parsed = await readConsoleRequest(request);
  if (!parsed.ok) return parsed.response;
  const { clientId } = await params;
  const result = await setAdminClientEnabled(clientId, true, parsed.admin.actor);
  return result.ok ? jsonOk({ client: result.client, changed: result.changed }) : clientFailureResponse(result);
});
