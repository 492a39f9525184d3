import { readConsoleRequest } from '@/app/admin/_server/console';
import { auditActor } from '@/lib/admin/actor';
import { jsonRoute } from '@/lib/http/json-route';
import { jsonError, jsonOk } from '@/lib/http/responses';
import { isSigningAlg, SIGNING_ALGORITHMS } from '@/lib/oauth/keys/algorithms';
import { rotateSigningKeys } from '@/lib/oauth/keys/signing-keys';

/**
 * "Rotate now": a new signing key signs from now on; the one it replaces stays published until
 * every token it signed has expired. Body `{ alg? }`: that algorithm's key, or without it the key
 * of every algorithm in use. Audited `key.rotated` (with the alg) with the administrator.
 * → `{ rotated: [{ alg, kid, retiredKid }], kid, retiredKid }` (the last two: the first rotation, RS256 when all).
 */
export const POST = jsonRoute(async (request: Request) => {
  const parsed = await readConsoleRequest(request);
  if (!parsed.ok) return parsed.response;
  const alg = parsed.body.alg;
  if (alg !== undefined && !isSigningAlg(alg)) {
    return jsonError(400, 'invalid_request', `The algorithm must be one of ${SIGNING_ALGORITHMS.join(', ')}.`, {
      alg: [`Choose one of ${SIGNING_ALGORITHMS.join(', ')}.`],
    });
  }
  const { actorUserId, actorApiKeyId, context } = auditActor(parsed.admin.actor);
  const rotated = await rotateSigningKeys(new Date(), context, { actorUserId, actorApiKeyId }, alg);
  return jsonOk({ rotated, kid: rotated[0]!.kid, retiredKid: rotated[0]!.retiredKid });
});
