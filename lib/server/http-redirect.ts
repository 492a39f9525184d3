import http from 'node:http';
import { hostRouter } from '../http/console-host';
import { HTTP_TIMEOUTS, httpTimeoutOptions } from './http-timeouts';

/**
 * Where a plain-HTTP request to `url` (a request target: a path, an absolute URL, anything a
 * client sent) is sent: the same path and query on the issuer's origin. The host always comes
 * from the issuer, never from the request, so this cannot redirect anywhere else.
 */
export function httpsRedirectLocation(issuer: string, url: string | undefined): string {
  const target = new URL(new URL(issuer).origin);
  try {
    const requested = new URL(url ?? '/', 'http://request.invalid');
    target.pathname = requested.pathname;
    target.search = requested.search;
  } catch {
    // not a parsable target: the issuer's root
  }
  return target.href;
}

/** Endpoints programs call (never a person's browser): they must not learn to work over plain HTTP. */
const API_PATHS = /^\/(api\/|oauth\/(token|revoke|introspect|userinfo)(\/|$))/;

/**
 * Whether a plain-HTTP request may be redirected to HTTPS: only a browser navigation (GET or
 * HEAD) to a page. A program that sent a form, a secret or a token over plain HTTP gets an error
 * instead of a redirect that would make the mistake work silently (ASVS 5.0 4.1.2).
 */
export function redirectsToHttps(method: string | undefined, url: string | undefined): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  let path = '/';
  try {
    path = new URL(url ?? '/', 'http://request.invalid').pathname;
  } catch {
    // not a parsable target: treated as the root
  }
  return !API_PATHS.test(path);
}

/**
 * The plain-HTTP listener of OPTARE_HTTP_REDIRECT_PORT: a browser's GET or HEAD of a page gets a
 * 308 to the same path on the HTTPS issuer; anything else (a POST, an API or token endpoint)
 * gets 400 and no Location. It sends no HSTS: that header means something only over HTTPS, and
 * the HTTPS answer carries it. With OPTARE_ADMIN_ORIGIN, a request for the console's host goes to
 * the console's origin instead (still never to a host the request names).
 */
export function createRedirectServer(issuer: string, adminOrigin: string | null = null): http.Server {
  const hosts = hostRouter(adminOrigin);
  // A redirect needs no body: a whole request gets as long as its headers.
  return http.createServer(httpTimeoutOptions({ requestMs: HTTP_TIMEOUTS.headersMs }), (req, res) => {
    const location = httpsRedirectLocation(hosts?.isConsoleHost(req.headers.host) ? adminOrigin! : issuer, req.url);
    if (!redirectsToHttps(req.method, req.url)) {
      const refusal = `Optare accepts this request only over HTTPS: send it to ${location}\n`;
      res.writeHead(400, {
        'content-type': 'text/plain; charset=utf-8',
        'content-length': String(Buffer.byteLength(refusal)),
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-store',
        connection: 'close',
      });
      res.end(refusal);
      return;
    }
    const body = `Optare is served over HTTPS: ${location}\n`; // Node sends no body to a HEAD
    res.writeHead(308, {
      location,
      'content-type': 'text/plain; charset=utf-8',
      'content-length': String(Buffer.byteLength(body)),
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
    });
    res.end(body);
  });
}
