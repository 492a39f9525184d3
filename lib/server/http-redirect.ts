import http from 'node:http';

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

/**
 * The plain-HTTP listener of OPTARE_HTTP_REDIRECT_PORT: every request, whatever its method,
 * gets a 308 to the HTTPS issuer (308 keeps the method, so a POST is re-sent over HTTPS). It
 * sends no HSTS: that header means something only over HTTPS, and the HTTPS answer carries it.
 */
export function createRedirectServer(issuer: string): http.Server {
  const server = http.createServer((req, res) => {
    const location = httpsRedirectLocation(issuer, req.url);
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
  server.keepAliveTimeout = 5_000;
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;
  return server;
}
