import { NextResponse, type NextRequest } from 'next/server';
import { pendingLoginCookie } from '@/lib/auth/pending-login';
import { endSession, sessionCookie } from '@/lib/auth/sessions';
import { getConfig } from '@/lib/config';
import { auditContextFrom } from '@/lib/http/audit-context';
import { CLEAR_SITE_DATA, crossSiteRefusal } from '@/lib/http/responses';

/**
 * Signs out: a plain form POST (works without JavaScript). Ends the session server-side,
 * deletes its cookies and asks the browser to clear what it cached and stored for this origin.
 */
export async function POST(request: NextRequest) {
  const config = getConfig();
  const refused = crossSiteRefusal(request, config.issuer);
  if (refused) return refused;
  const cookie = sessionCookie();
  await endSession(request.cookies.get(cookie.name)?.value, auditContextFrom(request.headers));
  const response = NextResponse.redirect(new URL('/sign-in?signed_out=1', config.issuer), 303);
  response.cookies.set(cookie.name, '', { ...cookie.options, maxAge: 0 });
  response.cookies.set(pendingLoginCookie().name, '', { ...pendingLoginCookie().options, maxAge: 0 });
  response.headers.set('Clear-Site-Data', CLEAR_SITE_DATA['Clear-Site-Data']);
  response.headers.set('Cache-Control', 'no-store');
  return response;
}
