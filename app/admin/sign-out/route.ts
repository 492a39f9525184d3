import { NextResponse, type NextRequest } from 'next/server';
import { endConsoleOptareSession, endConsoleSession } from '@/lib/admin/console-access';
import { consoleOrigin } from '@/lib/admin/console-client';
import { endSession, sessionCookie } from '@/lib/auth/sessions';
import { getConfig } from '@/lib/config';
import { auditContextFrom } from '@/lib/http/audit-context';
import { jsonRoute } from '@/lib/http/json-route';
import { crossSiteRefusal } from '@/lib/http/responses';
import { consoleAdminOf, forgetConsoleCookie } from '../_server/console';

/**
 * Signs the administrator out of the console and of Optare (a plain form POST): the console's
 * clock stops, the Optare session ends, and both cookies go.
 */
export const POST = jsonRoute(async (request: NextRequest) => {
  const config = getConfig();
  const refused = crossSiteRefusal(request, consoleOrigin(config));
  if (refused) return refused;
  const context = auditContextFrom(request.headers);
  const admin = await consoleAdminOf(request, context);
  if (admin.ok) await endConsoleSession(admin.admin.sessionId);
  const cookie = sessionCookie();
  const ended = await endSession(request.cookies.get(cookie.name)?.value, context);
  // On the console's own host (OPTARE_ADMIN_ORIGIN) Optare's cookie is not sent: end that session by id.
  if (!ended && admin.ok) await endConsoleOptareSession(admin.admin, context);
  const response = NextResponse.redirect(new URL('/admin/sign-in?signed_out=1', consoleOrigin(config)), 303);
  response.cookies.set(cookie.name, '', { ...cookie.options, maxAge: 0 });
  return forgetConsoleCookie(response);
});
