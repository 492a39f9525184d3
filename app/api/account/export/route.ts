import { NextResponse, type NextRequest } from 'next/server';
import { sessionCookie, validateSessionToken } from '@/lib/auth/sessions';
import { getConfig } from '@/lib/config';
import { auditContextFrom } from '@/lib/http/audit-context';
import { jsonRoute } from '@/lib/http/json-route';
import { jsonError, retryAfterText, tooManyRequests } from '@/lib/http/responses';
import { isCrossSiteRead } from '@/lib/http/same-origin-read';
import { exportFileName, exportOwnData } from '@/lib/privacy/export';
import { consume, limitKey } from '@/lib/rate-limit/limiter';
import { SIGN_IN_PATH } from '@/app/_server/account-request';
import { forgetEndedSession } from '@/app/_server/ended-session';

/**
 * "Download my data": the signed-in user's data as a JSON attachment (lib/privacy/export.ts).
 * A GET the account page links to, so it is refused when the browser says another site asked
 * for it; limited per account; audited as `user.exported`.
 */
export const GET = jsonRoute(async (request: NextRequest) => {
  if (isCrossSiteRead(request, getConfig().issuer)) return jsonError(403, 'cross_site_request', 'This request came from another site and was refused.');
  const context = auditContextFrom(request.headers);
  const session = await validateSessionToken(request.cookies.get(sessionCookie().name)?.value, context);
  if (!session) {
    const response = NextResponse.json(
      { error: 'not_signed_in', message: 'Your session has ended. Sign in again to download your data.', redirectTo: SIGN_IN_PATH },
      { status: 401, headers: { 'cache-control': 'no-store' } },
    );
    return request.cookies.has(sessionCookie().name) ? forgetEndedSession(response) : response;
  }
  const verdict = await consume('dataExport', limitKey(session.userId), context);
  if (!verdict.allowed) {
    return tooManyRequests(verdict.retryAfterSeconds, `You downloaded your data several times already. Try again in ${retryAfterText(verdict.retryAfterSeconds)}.`);
  }
  const now = new Date();
  const data = await exportOwnData({ userId: session.userId, sessionId: session.id }, context, now);
  if (!data) return jsonError(404, 'not_found', 'This account no longer exists.');
  return new Response(JSON.stringify(data, null, 2), {
    status: 200,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'content-disposition': `attachment; filename="${exportFileName(now)}"`,
      'cache-control': 'no-store',
    },
  });
});
