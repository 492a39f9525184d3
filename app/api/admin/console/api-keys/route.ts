import { readConsoleRequest } from '@/app/admin/_server/console';
import { createApiKey } from '@/lib/admin/api-keys';
import { jsonRoute } from '@/lib/http/json-route';
import { jsonError, jsonOk } from '@/lib/http/responses';

/**
 * Creates an API key from the console: `{ name, scopes, expiresAt }` (the form's schema, checked
 * again here) → `{ key, apiKey }`. The key's text is in this answer only.
 */
export const POST = jsonRoute(async (request: Request) => {
  const parsed = await readConsoleRequest(request);
  if (!parsed.ok) return parsed.response;
  const result = await createApiKey(parsed.body, parsed.admin.actor);
  if (result.ok) return jsonOk({ key: result.key, apiKey: { id: result.apiKey.id, name: result.apiKey.name, prefix: result.apiKey.prefix } }, 201);
  if ('fieldErrors' in result) return jsonError(400, 'invalid_request', 'Some fields need attention.', result.fieldErrors);
  // An administrator may give any scope; only API keys are held to their own.
  return jsonError(403, 'scope_not_held', 'You cannot give this key those scopes.');
});
