import { readConsoleRequest } from '@/app/admin/_server/console';
import { updateSettings } from '@/lib/admin/settings';
import { jsonRoute } from '@/lib/http/json-route';
import { jsonError, jsonOk } from '@/lib/http/responses';

/**
 * Changes runtime settings from the console: `{ passwordMinLength?, mfaRequired?, … }` (the
 * settings form's schema; null gives a setting back to its default) → `{ changes, settings }`,
 * `changes` being what was audited (each field's value before and after).
 */
export const POST = jsonRoute(async (request: Request) => {
  const parsed = await readConsoleRequest(request);
  if (!parsed.ok) return parsed.response;
  const result = await updateSettings(parsed.body, parsed.admin.actor);
  if (!result.ok) return jsonError(400, 'invalid_request', 'Some settings need attention.', result.fieldErrors);
  return jsonOk({ changes: result.changes, settings: result.settings });
});
