import type { NextRequest } from 'next/server';
import { z } from 'zod';
import { readJsonRequest } from '@/lib/http/json-request';
import { clearedSessionCookie } from '@/lib/oauth/authorize/browser-session';
import { confirmLogout } from '@/lib/oauth/endpoints/logout';
import { jsonRoute } from '@/lib/http/json-route';
import { CLEAR_SITE_DATA, jsonError } from '@/lib/http/responses';

const bodySchema = z.object({ logout: z.string().min(1).max(8192), decision: z.enum(['sign_out', 'stay']) });

/**
 * The answer of the sign-out confirmation page (JSON, same-origin only). Answers
 * { redirectTo }: the client's post-logout redirect URI or Optare's signed-out page, which the
 * page navigates to (a JSON answer, not a form redirect, so the CSP's form-action stays 'self').
 */
export const POST = jsonRoute(async (request: NextRequest) => {
  const parsed = await readJsonRequest(request);
  if (!parsed.ok) return parsed.response;
  const body = bodySchema.safeParse(parsed.body);
  if (!body.success) return jsonError(400, 'invalid_request', 'The request is not valid.');
  if (body.data.decision === 'stay') return Response.json({ redirectTo: '/' }, { headers: { 'Cache-Control': 'no-store' } });

  const { redirectTo, clearCookie } = await confirmLogout(body.data.logout, request, parsed.context);
  const headers = new Headers({ 'Cache-Control': 'no-store' });
  if (clearCookie) {
    headers.set('Set-Cookie', clearedSessionCookie());
    headers.set('Clear-Site-Data', CLEAR_SITE_DATA['Clear-Site-Data']);
  }
  return Response.json({ redirectTo }, { headers });
});
