import 'server-only';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { apiSecurityHeaders } from '../http/security-headers';
import { PROTOCOL_ROUTES } from '../oauth/routes';

/** No protocol request needs more; OAuth parameter parsing refuses 16 kB anyway. */
const BODY_LIMIT = 64 * 1024;

type Handler = (request: Request) => Promise<Response>;

/** The handler of a protocol endpoint for this method and path, or null (Next.js serves it). */
export function protocolHandler(method: string | undefined, url: string | undefined): Handler | null {
  const path = (url ?? '/').split('?')[0]!;
  const route = PROTOCOL_ROUTES.get(path);
  if (!route || (method !== 'GET' && method !== 'POST' && method !== 'OPTIONS')) return null;
  return route[method] ?? null;
}

/**
 * Answers a protocol request without Next.js: the same Request → Response function the app/
 * route file exports, with the security headers proxy.ts would add (a CSP that allows nothing,
 * since these responses are JSON). Headers come from `req.headers`, which the server has
 * already cleaned of internal and spoofable names; URLs in responses come from the issuer only.
 */
export async function serveProtocolRequest(handler: Handler, req: IncomingMessage, res: ServerResponse, issuer: string): Promise<void> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  let body: Buffer | undefined;
  if (req.method === 'POST') {
    const read = await readBody(req);
    if (read === null) return writeResponse(res, payloadTooLarge(), issuer);
    body = read;
  }
  const request = new Request(new URL(req.url ?? '/', issuer), { method: req.method, headers, body: body ? new Uint8Array(body) : undefined });
  await writeResponse(res, await handler(request), issuer);
}

async function writeResponse(res: ServerResponse, response: Response, issuer: string): Promise<void> {
  const payload = Buffer.from(await response.arrayBuffer());
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  Object.assign(headers, apiSecurityHeaders(issuer.startsWith('https://')));
  headers['content-length'] = String(payload.length);
  res.writeHead(response.status, headers);
  res.end(payload);
}

/** The request body, or null as soon as it exceeds the limit (the rest is not read). */
async function readBody(req: IncomingMessage): Promise<Buffer | null> {
  if (Number(req.headers['content-length'] ?? 0) > BODY_LIMIT) return null;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > BODY_LIMIT) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function payloadTooLarge(): Response {
  return Response.json(
    { error: 'invalid_request', error_description: `The request body exceeds ${BODY_LIMIT} bytes.` },
    { status: 413, headers: { 'Cache-Control': 'no-store' } },
  );
}
