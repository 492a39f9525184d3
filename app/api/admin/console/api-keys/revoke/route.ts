import { readConsoleRequest } from '@/app/admin/_server/console';
import { revokeApiKey } from '@/lib/admin/api-keys';
import { jsonRoute } from '@/lib/http/json-route';
import { jsonError, jsonOk } from '@/lib/http/responses';

/** Revokes an API key from the console: `{ id }` → `{ revoked: true }`. It stops working at once. */
export const POST = jsonRoute(async (request: Request) => {
  const parsed = await readConsoleRequest(request);
  if (!parsed.ok) return parsed.response;
  const result = await revokeApiKey(typeof parsed.body.id === 'string' ? parsed.body.id : '', parsed.admin.actor);
  if (result.ok) return jsonOk({ revoked: true, apiKey: { id: result.apiKey.id, name: result.apiKey.name, prefix: result.apiKey.prefix } });
  if (result.error === 'not_found') return jsonError(404, 'not_found', 'That API key no longer exists. Reload the page.');
  return jsonError(409, 'already_revoked', 'This API key is already revoked. Reload the page.');
});
