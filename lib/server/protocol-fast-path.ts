import 'server-only';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { apiSecurityHeaders } from '../http/security-headers';
import { ProtocolResponse, type HeaderReader, type ProtocolRequest } from '../http/protocol-message';
import { JSON_API_PATHS, PROTOCOL_ROUTES, type ProtocolHandler } from '../oauth/routes';

/** No protocol request needs more; OAuth parameter parsing refuses 16 kB anyway. */
const BODY_LIMIT = 64 * 1024;

/** The handler of a protocol endpoint for this method and path, or null (Next.js serves it). */
export function protocolHandler(method: string | undefined, url: string | undefined): ProtocolHandler | null {
  const path = (url ?? '/').split('?')[0]!;
  const route = PROTOCOL_ROUTES.get(path);
  if (!route || (method !== 'GET' && method !== 'POST' && method !== 'OPTIONS')) return null;
  return route[method] ?? null;
}

/**
 * Answers a protocol request without Next.js: the same handler the app/ route file serves, fed
 * straight from Node's request and written straight to Node's response, with the security
 * headers proxy.ts would add (a CSP that allows nothing, since these responses are JSON).
 * Headers come from `req.headers`, which the server has already cleaned of internal and
 * spoofable names; URLs in responses come from the issuer only.
 */
export async function serveProtocolRequest(handler: ProtocolHandler, req: IncomingMessage, res: ServerResponse, answer: AnswerContext): Promise<void> {
  let body: Buffer | null = null;
  if (req.method === 'POST') {
    body = await readBody(req);
    if (body === null) {
      res.shouldKeepAlive = false; // the rest of the body is not read
      return writeResponse(res, payloadTooLarge(req.url), answer);
    }
  }
  writeResponse(res, await handler(new NodeProtocolRequest(req, body, answer.issuer)), answer);
}

/** What every protocol answer carries besides the handler's response. */
export interface AnswerContext {
  issuer: string;
  requestId: string;
  /** True once shutdown began: the answer closes its connection. */
  close: boolean;
}

/** A ProtocolRequest over Node's request and its already-read body. */
class NodeProtocolRequest implements ProtocolRequest {
  readonly method: string;
  readonly headers: HeaderReader;

  constructor(
    private readonly req: IncomingMessage,
    private readonly body: Buffer | null,
    private readonly issuer: string,
  ) {
    this.method = req.method ?? 'GET';
    this.headers = new NodeHeaderReader(req.headers);
  }

  get url(): string {
    return new URL(this.req.url ?? '/', this.issuer).href;
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const body = this.body ?? Buffer.alloc(0);
    return body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer;
  }
}

class NodeHeaderReader implements HeaderReader {
  constructor(private readonly fields: IncomingMessage['headers']) {}

  get(name: string): string | null {
    const value = this.fields[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(', ') : value;
  }
}

/**
 * The body goes to end() as a string: Node then sends the head and the body in one write, where
 * a Buffer would take a corked writev of two (measured: docs/decisions.md, "client_credentials:
 * per-request work, step by step"). Bodies are JSON, written as UTF-8. The headers go to
 * writeHead() as one flat list of names and values and nothing was set before, which keeps Node
 * off its per-header setHeader path; a list is copied without the per-property work of spreading
 * header objects (docs/decisions.md, "Next.js's Date wrapper undone, response headers as lists
 * (measured)").
 */
function writeResponse(res: ServerResponse, response: ProtocolResponse, { issuer, requestId, close }: AnswerContext): void {
  const headers = ['x-request-id', requestId, ...wireHeaders(response, issuer.startsWith('https://'))];
  for (const cookie of response.setCookies) headers.push('set-cookie', cookie);
  if (close) headers.push('connection', 'close');
  res.writeHead(response.status, headers);
  res.end(response.body ?? '');
}

/**
 * A response's own headers, the security headers and its length as one list of names and
 * values, built once per response: discovery and the JWKS answer every request with the same
 * response.
 */
function wireHeaders(response: ProtocolResponse, https: boolean): readonly string[] {
  const cache = https ? HTTPS_WIRE_HEADERS : HTTP_WIRE_HEADERS;
  let headers = cache.get(response);
  if (!headers) {
    const list: string[] = [];
    const fields = response.headerFields;
    for (const name in fields) {
      if (name !== 'content-length') list.push(name, fields[name]!);
    }
    list.push(...(https ? HTTPS_HEADERS : HTTP_HEADERS), 'content-length', String(Buffer.byteLength(response.body ?? '')));
    headers = list;
    cache.set(response, headers);
  }
  return headers;
}

const HTTPS_WIRE_HEADERS = new WeakMap<ProtocolResponse, readonly string[]>();
const HTTP_WIRE_HEADERS = new WeakMap<ProtocolResponse, readonly string[]>();
const HTTPS_HEADERS = Object.entries(apiSecurityHeaders(true)).flat();
const HTTP_HEADERS = Object.entries(apiSecurityHeaders(false)).flat();

/**
 * The request body, or null as soon as it exceeds the limit (the rest is not kept: Node discards
 * it, and the 413 closes the connection). Read with plain listeners: an async iterator costs
 * several promises per request, each one through every async hook in the process.
 */
function readBody(req: IncomingMessage): Promise<Buffer | null> {
  if (Number(req.headers['content-length'] ?? 0) > BODY_LIMIT) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= BODY_LIMIT) return void chunks.push(chunk);
      done();
      resolve(null);
    };
    const onEnd = () => {
      done();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    };
    const onError = (error: Error) => {
      done();
      reject(error);
    };
    const onClose = () => {
      done();
      reject(new Error('The connection closed before the request body ended.'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/** 413 in the error shape of the endpoint's API: Optare's JSON API for the sign-in flow's, OAuth's for the rest. */
function payloadTooLarge(url: string | undefined): ProtocolResponse {
  const message = `The request body exceeds ${BODY_LIMIT} bytes.`;
  const body = JSON_API_PATHS.has((url ?? '/').split('?')[0]!)
    ? { error: 'payload_too_large', message }
    : { error: 'invalid_request', error_description: message };
  return ProtocolResponse.json(body, 413, { 'Cache-Control': 'no-store' });
}
