import { readConsoleRequest } from '@/app/admin/_server/console';
import { auditActor } from '@/lib/admin/actor';
import { jsonRoute } from '@/lib/http/json-route';
import { jsonOk } from '@/lib/http/responses';
import { rotateSigningKey } from '@/lib/oauth/keys/signing-keys';

/**
 * "Rotate now": a new signing key signs from now on; the one it replaces stays published until
 * every token it signed has expired. Audited `key.rotated` with the administrator. → `{ kid, retiredKid }`.
 */
export const POST = jsonRoute(async (request: Request) => {
  const parsed = await readConsoleRequest(request);
  if (!parsed.ok) return parsed.response;
  const { actorUserId, actorApiKeyId, context } = auditActor(parsed.admin.actor);
  const { kid, retiredKid } = await rotateSigningKey(new Date(), context, { actorUserId, actorApiKeyId });
  return jsonOk({ kid, retiredKid });
});
