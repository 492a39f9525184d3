import 'server-only';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { hostRouter } from '../http/console-host';
import { apiSecurityHeaders } from '../http/security-headers';
import { pathOnly, stampRequest } from './request-context';
import { protocolHandler, serveProtocolRequest } from './protocol-fast-path';

export interface RequestHandlerOptions {
  log: Logger;
  issuer: string;
  /** OPTARE_ADMIN_ORIGIN: the console's own origin, or null (it shares the issuer's). */
  adminOrigin?: string | null;
  /** Reverse proxies in front of Optare (OPTARE_TRUST_PROXY). */
  trustProxy: number;
  /** Next.js's request handler: everything the protocol fast path does not answer. */
  next: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  /** True once shutdown began: responses then close their connection instead of keeping it. */
  draining: () => boolean;
}

/**
 * The methods any Optare route serves. Everything else (TRACE, WebDAV's PROPFIND, …) is answered
 * 405 here, before Next.js or a route handler can see it (ASVS 13.4.4, 4.1.4).
 */
export const SERVED_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
const SERVED = new Set<string>(SERVED_METHODS);
const ALLOW = SERVED_METHODS.join(', ');
const METHOD_NOT_ALLOWED = 'Method Not Allowed';
const INTERNAL_SERVER_ERROR = 'Internal Server Error';
const NOT_FOUND = 'Not Found';

/**
 * Optare's one request handler, shared by the HTTP and the HTTPS server: stamps the request id
 * and client address, logs one line per request, refuses methods no route serves, keeps the
 * console and the identity provider each on its own host (OPTARE_ADMIN_ORIGIN), and hands the
 * request to the protocol fast path or to Next.js.
 */
export function createRequestHandler({ log, issuer, adminOrigin = null, trustProxy, next, draining }: RequestHandlerOptions): RequestListener {
  const https = issuer.startsWith('https://');
  const hosts = hostRouter(adminOrigin);
  // The per-request line has fixed fields, none of them secret (the path is cut before its query):
  // a logger without the redact list writes the same line without walking it (about 3.5 µs a line).
  const requestLog = log.child({}, { redact: [] });
  return (req, res) => {
    const startedAt = process.hrtime.bigint();
    const { requestId } = stampRequest(req, trustProxy);
    res.on('finish', () => {
      requestLog.info({
        requestId,
        method: req.method,
        path: pathOnly(req.url),
        status: res.statusCode,
        durationMs: Number((process.hrtime.bigint() - startedAt) / 1000n) / 1000,
      });
    });
    // The host decides first: the protocol endpoints belong to the issuer's host only. proxy.ts
    // decides again on the path Next.js routes.
    const hostRoute = hosts?.route(req.headers.host, req.url ?? '/') ?? 'serve';
    // Only GET, POST and OPTIONS reach a protocol handler. Its answer carries the request id
    // itself: a header set here beforehand would put every header of it through setHeader.
    const protocol = hostRoute === 'serve' ? protocolHandler(req.method, req.url) : null;
    if (protocol) {
      serveProtocolRequest(protocol, req, res, { issuer, requestId, close: draining() }).catch((error: unknown) => failed(log, res, requestId, https, draining(), error));
      return;
    }
    res.setHeader('x-request-id', requestId);
    if (draining()) res.setHeader('connection', 'close');
    if (!SERVED.has(req.method ?? '')) {
      res.writeHead(405, { ...plainTextHeaders(https), allow: ALLOW, 'content-length': METHOD_NOT_ALLOWED.length });
      res.end(METHOD_NOT_ALLOWED);
      return;
    }
    if (hostRoute !== 'serve') {
      const headers = hostRoute === 'console_home' ? { location: '/admin', 'content-length': 0 } : { 'content-length': NOT_FOUND.length };
      res.writeHead(hostRoute === 'console_home' ? 307 : 404, { ...plainTextHeaders(https), ...headers });
      res.end(hostRoute === 'console_home' ? undefined : NOT_FOUND);
      return;
    }
    next(req, res).catch((error: unknown) => failed(log, res, requestId, https, draining(), error));
  };
}

/** The answer to a request whose handler threw: a bare 500, the error only in the log. */
function failed(log: Logger, res: ServerResponse, requestId: string, https: boolean, closing: boolean, error: unknown): void {
  log.error({ requestId, err: error }, 'unhandled request error');
  if (res.headersSent) return void res.end();
  const close = closing ? { connection: 'close' } : {};
  res.writeHead(500, { ...plainTextHeaders(https), ...close, 'x-request-id': requestId, 'content-length': INTERNAL_SERVER_ERROR.length });
  res.end(INTERNAL_SERVER_ERROR);
}

/** The headers of the answers this module writes itself: every security header, never cached. */
function plainTextHeaders(https: boolean): Record<string, string> {
  return { ...apiSecurityHeaders(https), 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' };
}

/**
 * Methods Node's parser handles before any request listener: CONNECT (a 'connect' event, which
 * would otherwise drop the connection without an answer) and names it does not know, such as
 * TRACK (a parse error, otherwise a bare 400). Both get the same 405 as TRACE. Other parse errors
 * get Node's own answers, written as Node's default 'clientError' handling writes them (which a
 * listener replaces): only when no response is in flight on the connection.
 */
export function refuseUnsupportedMethods(server: Server, issuer: string): void {
  const https = issuer.startsWith('https://');
  const headers = { ...plainTextHeaders(https), allow: ALLOW, connection: 'close', 'content-length': METHOD_NOT_ALLOWED.length };
  const methodNotAllowed = `HTTP/1.1 405 Method Not Allowed\r\n${Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')}\r\n${METHOD_NOT_ALLOWED}`;
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
    socket.end(methodNotAllowed);
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex & { _httpMessage?: { _headerSent?: boolean } | null }) => {
    if (socket.writable && !socket._httpMessage?._headerSent) {
      socket.write(error.code === 'HPE_INVALID_METHOD' ? methodNotAllowed : (NODE_ERROR_ANSWERS[error.code ?? ''] ?? NODE_ERROR_ANSWERS.default));
    }
    socket.destroy(error);
  });
}

const NODE_ERROR_ANSWERS: Record<string, string> = {
  HPE_HEADER_OVERFLOW: 'HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n',
  HPE_CHUNK_EXTENSIONS_OVERFLOW: 'HTTP/1.1 413 Payload Too Large\r\nConnection: close\r\n\r\n',
  ERR_HTTP_REQUEST_TIMEOUT: 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n',
  default: 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n',
};
