import 'server-only';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { pathOnly, stampRequest } from './request-context';
import { protocolHandler, serveProtocolRequest } from './protocol-fast-path';

export interface RequestHandlerOptions {
  log: Logger;
  issuer: string;
  /** Reverse proxies in front of Optare (OPTARE_TRUST_PROXY). */
  trustProxy: number;
  /** Next.js's request handler: everything the protocol fast path does not answer. */
  next: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  /** True once shutdown began: responses then close their connection instead of keeping it. */
  draining: () => boolean;
}

/**
 * Optare's one request handler, shared by the HTTP and the HTTPS server: stamps the request id
 * and client address, logs one line per request, and hands the request to the protocol fast
 * path or to Next.js.
 */
export function createRequestHandler({ log, issuer, trustProxy, next, draining }: RequestHandlerOptions): RequestListener {
  return (req, res) => {
    const startedAt = process.hrtime.bigint();
    const { requestId } = stampRequest(req, trustProxy);
    res.setHeader('x-request-id', requestId);
    if (draining()) res.setHeader('connection', 'close');
    res.on('finish', () => {
      log.info({
        requestId,
        method: req.method,
        path: pathOnly(req.url),
        status: res.statusCode,
        durationMs: Number((process.hrtime.bigint() - startedAt) / 1000n) / 1000,
      });
    });
    const protocol = protocolHandler(req.method, req.url);
    (protocol ? serveProtocolRequest(protocol, req, res, issuer) : next(req, res)).catch((error: unknown) => {
      log.error({ requestId, err: error }, 'unhandled request error');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('Internal Server Error');
    });
  };
}
