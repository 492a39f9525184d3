import { readConsoleRequest } from '@/app/admin/_server/console';
import { chainCheckRequestSchema, chainCheckState } from '@/lib/admin/audit-log';
import { jsonRoute } from '@/lib/http/json-route';
import { jsonError, jsonOk } from '@/lib/http/responses';
import { fieldErrorsOf } from '@/lib/validation/account';

/** How long one request waits for the check before answering that it is still running. */
const WAIT_MS = 20_000;

/**
 * The console's integrity indicator: `{}` starts the audit chain verification (or joins the one
 * running) → its result (`state: 'done'`, `ok`, `intactThroughSeq`, the first broken record),
 * or, on a log too large to verify in 20 s, `state: 'running'` with a `checkId` to send back
 * (`{ checkId }`) until it is done.
 */
export const POST = jsonRoute(async (request: Request) => {
  const parsed = await readConsoleRequest(request);
  if (!parsed.ok) return parsed.response;
  const body = chainCheckRequestSchema.safeParse(parsed.body);
  if (!body.success) return jsonError(400, 'invalid_request', 'The check id is not valid.', fieldErrorsOf(body.error));
  return jsonOk(await chainCheckState(body.data.checkId, WAIT_MS));
});
