import { readConsoleRequest } from '@/app/admin/_server/console';
import { rotateApiKey } from '@/lib/admin/api-keys';
import { jsonRoute } from '@/lib/http/json-route';
import { jsonError, jsonOk } from '@/lib/http/responses';

/**
 * Rotates an API key from the console: `{ id }` → `{ key, apiKey, previousWorksUntil }`. The new
 * key's text is in this answer only; the old key keeps working until previousWorksUntil.
 */
export const POST = jsonRoute(async (request: Request) => {
  const parsed = await readConsoleRequest(request);
  if (!parsed.ok) return parsed.response;
  const result = await rotateApiKey(typeof parsed.body.id === 'string' ? parsed.body.id : '', parsed.admin.actor);
  if (result.ok) {
    return jsonOk(
      {
        key: result.key,
        apiKey: { id: result.apiKey.id, name: result.apiKey.name, prefix: result.apiKey.prefix },
        previousWorksUntil: result.previous.worksUntil?.toISOString() ?? null,
      },
      201,
    );
  }
  if (result.error === 'not_found') return jsonError(404, 'not_found', 'That API key no longer exists. Reload the page.');
  if (result.error === 'not_active') return jsonError(409, 'not_active', `Only an active key can be rotated; this one is ${result.status}. Reload the page.`);
  return jsonError(403, 'scope_not_held', 'You cannot give the new key those scopes.');
});
