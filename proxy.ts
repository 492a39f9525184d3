import { NextResponse, type NextRequest } from 'next/server';
import { randomBytes } from 'node:crypto';
import { securityHeaders } from './lib/http/security-headers';
import { isCrossSiteWrite } from './lib/http/same-origin';
import { auditCrossSiteRefusal } from './lib/http/responses';
import { getConfig } from './lib/config';
import { hostRouter, type HostRouter } from './lib/http/console-host';

/** Paths whose POSTs come from other sites by design (OAuth back-channel endpoints, later). */
const CROSS_ORIGIN_WRITES: RegExp[] = [
  // Token, revocation, introspection and userinfo: called cross-origin by design; they
  // authenticate the client or the bearer token, never a cookie, and answer CORS per client.
  /^\/oauth\/token$/,
  /^\/oauth\/revoke$/,
  /^\/oauth\/introspect$/,
  /^\/oauth\/userinfo$/,
  // The authorization endpoint: a relying party may send the user with a form POST (OIDC Core
  // §3.1.2.1); it only stores the request and continues with a same-site GET.
  /^\/oauth\/authorize$/,
  // RP-initiated logout may be a form POST from the relying party too; it never acts on that
  // request directly (it continues with a same-site GET, then confirms unless attributable).
  /^\/oauth\/logout$/,
];

/** Built once: the configuration does not change while the process runs. */
let hosts: { adminOrigin: string | null; router: HostRouter | null } | undefined;
function consoleHosts(adminOrigin: string | null): HostRouter | null {
  if (hosts?.adminOrigin !== adminOrigin) hosts = { adminOrigin, router: hostRouter(adminOrigin) };
  return hosts.router;
}

/**
 * Runs before every request: keeps the console and the identity provider each on its own host
 * (OPTARE_ADMIN_ORIGIN), refuses cross-site writes, and puts a fresh CSP nonce and the
 * security headers on every response (pages, route handlers, static files and errors alike).
 */
export function proxy(request: NextRequest) {
  const config = getConfig();
  const nonce = randomBytes(16).toString('base64');
  const { pathname } = request.nextUrl;
  // The server decided on the raw request target already (lib/server/request-handler.ts); this
  // decides again on the path Next.js routes, in case the two read a path differently.
  const router = consoleHosts(config.adminOrigin);
  const host = request.headers.get('host');
  const onConsoleHost = router?.isConsoleHost(host) ?? false;
  const headers = securityHeaders({
    nonce,
    https: config.issuer.startsWith('https://'),
    dev: process.env.NODE_ENV === 'development',
    // The console's sign-in form posts to next-auth, which redirects to the issuer's authorization endpoint.
    formActions: onConsoleHost ? [new URL(config.issuer).origin] : [],
  });
  const hostRoute = router?.route(host, pathname) ?? 'serve';
  if (hostRoute !== 'serve') {
    const answer =
      hostRoute === 'console_home'
        ? NextResponse.redirect(new URL('/admin', config.adminOrigin!), 307)
        : new NextResponse('Not Found', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' } });
    for (const [name, value] of Object.entries(headers)) answer.headers.set(name, value);
    return answer;
  }

  if (
    !CROSS_ORIGIN_WRITES.some((pattern) => pattern.test(pathname)) &&
    isCrossSiteWrite({
      method: request.method,
      origin: request.headers.get('origin'),
      secFetchSite: request.headers.get('sec-fetch-site'),
      host: request.headers.get('host'),
      issuer: config.issuer,
    })
  ) {
    auditCrossSiteRefusal(request);
    const refused = NextResponse.json(
      { error: 'cross_site_request', message: 'This request came from another site and was refused.' },
      { status: 403 },
    );
    for (const [name, value] of Object.entries(headers)) refused.headers.set(name, value);
    return refused;
  }

  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('x-nonce', nonce);
  requestHeaders.set('content-security-policy', headers['Content-Security-Policy']!);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}
