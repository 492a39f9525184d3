import 'server-only';
import { z } from 'zod';
import { readJsonRequest } from '../../http/json-request';
import { protocolJsonRoute } from '../../http/json-route';
import { ProtocolResponse, type ProtocolRequest } from '../../http/protocol-message';
import { jsonError } from '../../http/responses';
import { browserSession } from '../authorize/browser-session';
import { answerConsent } from '../authorize/consent';

export const CONSENT_DECISION_PATH = '/consent/decision';

const bodySchema = z.object({ request: z.string().min(1).max(64), decision: z.enum(['approve', 'deny']) });

/**
 * POST /consent/decision: the consent page's answer (JSON, same-origin only). Everything is
 * checked again in lib (session, pending request, client); the answer is { redirectTo }, the
 * client's redirect URI with a code or access_denied, which the page navigates to. Served before
 * Next.js (lib/oauth/routes.ts), like the authorization endpoint.
 */
export const consentDecisionEndpoint = protocolJsonRoute(async (request: ProtocolRequest) => {
  const parsed = await readJsonRequest(request);
  if (!parsed.ok) return ProtocolResponse.fromResponse(parsed.response);
  const body = bodySchema.safeParse(parsed.body);
  if (!body.success) return ProtocolResponse.fromResponse(jsonError(400, 'invalid_request', 'The request is not valid.'));

  const now = new Date();
  const redirectTo = await answerConsent({
    handle: body.data.request,
    approve: body.data.decision === 'approve',
    session: await browserSession(request, parsed.context, now),
    context: parsed.context,
    now,
  });
  return ProtocolResponse.json({ redirectTo }, 200, { 'cache-control': 'no-store' });
});
