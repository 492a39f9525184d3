import { NextResponse, type NextRequest } from 'next/server';
import { endConsoleSession } from '@/lib/admin/console-access';
import { endSession, sessionCookie } from '@/lib/auth/sessions';
import { getConfig } from '@/lib/config';
import { auditContextFrom } from '@/lib/http/audit-context';
import { jsonRoute } from '@/lib/http/json-route';
import { CLEAR_SITE_DATA, crossSiteRefusal } from '@/lib/http/responses';
import { consoleAdminOf, consoleCookieName } from '../_server/console';

/**
 * Signs the administrator out of the console and of Optare (a plain form POST): the console's
 * clock stops, the Optare session ends, and both cookies go.
 */
export const POST = jsonRoute(async (request: NextRequest) => {
  const config = getConfig();
  const refused = crossSiteRefusal(request, config.issuer);
  if (refused) return refused;
  const admin = await consoleAdminOf(request);
  if (admin.ok) await endConsoleSession(admin.admin.sessionId);
  const cookie = sessionCookie();
  await endSession(request.cookies.get(cookie.name)?.value, auditContextFrom(request.headers));
  const response = NextResponse.redirect(new URL('/admin/sign-in?signed_out=1', config.issuer), 303);
  response.cookies.set(cookie.name, '', { ...cookie.options, maxAge: 0 });
  response.cookies.set(consoleCookieName(), '', { path: '/', maxAge: 0, httpOnly: true, secure: config.secureCookies, sameSite: 'lax' });
  response.headers.set('Clear-Site-Data', CLEAR_SITE_DATA['Clear-Site-Data']);
  response.headers.set('Cache-Control', 'no-store');
  return response;
});
