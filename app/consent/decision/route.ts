import type { NextRequest } from 'next/server';
import { z } from 'zod';
import { readJsonRequest } from '@/app/_server/json-request';
import { currentSession } from '@/app/_server/session';
import { answerConsent } from '@/lib/oauth/authorize/consent';
import { jsonRoute } from '@/lib/http/json-route';
import { jsonError } from '@/lib/http/responses';

const bodySchema = z.object({ request: z.string().min(1).max(64), decision: z.enum(['approve', 'deny']) });

/**
 * The consent page's answer (JSON, same-origin only). Everything is checked again in lib
 * (session, pending request, client); the answer is { redirectTo }, the client's redirect URI
 * with a code or access_denied, which the page navigates to.
 */
export const POST = jsonRoute(async (request: NextRequest) => {
  const parsed = await readJsonRequest(request);
  if (!parsed.ok) return parsed.response;
  const body = bodySchema.safeParse(parsed.body);
  if (!body.success) return jsonError(400, 'invalid_request', 'The request is not valid.');

  const redirectTo = await answerConsent({
    handle: body.data.request,
    approve: body.data.decision === 'approve',
    session: await currentSession(),
    context: parsed.context,
    now: new Date(),
  });
  return Response.json({ redirectTo }, { headers: { 'Cache-Control': 'no-store' } });
});
