import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { clientIp as resolveClientIp } from './client-ip';

/** Headers the server sets for the app; any copy arriving from the network is discarded. */
export const CLIENT_IP_HEADER = 'x-optare-client-ip';
export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * Removes headers that must never come from a client: Optare's internal ones, and Next.js's
 * internal middleware headers (x-middleware-subrequest let requests skip middleware in
 * CVE-2025-29927). Then stamps a fresh request id and the client's address: the socket's, or
 * with `trustProxy` reverse proxies in front, the one they recorded in X-Forwarded-For.
 */
export function stampRequest(req: IncomingMessage, trustProxy: number): { requestId: string; clientIp: string } {
  for (const name of Object.keys(req.headers)) {
    if (name.startsWith('x-optare-') || name.startsWith('x-middleware-') || name === REQUEST_ID_HEADER) {
      delete req.headers[name];
    }
  }
  const requestId = randomUUID();
  const clientIp =
    trustProxy < 1 ? socketClientIp(req.socket) : resolveClientIp(req.socket.remoteAddress, req.headersDistinct['x-forwarded-for'], trustProxy);
  req.headers[REQUEST_ID_HEADER] = requestId;
  req.headers[CLIENT_IP_HEADER] = clientIp;
  return { requestId, clientIp };
}

/**
 * The client address of a connection without trusted proxies: its peer's, normalized once per
 * connection rather than once per request (a keep-alive connection carries many; normalizing an
 * IPv6 address parses a URL).
 */
const socketAddresses = new WeakMap<Socket, string>();
function socketClientIp(socket: Socket): string {
  let address = socketAddresses.get(socket);
  if (address === undefined) {
    address = resolveClientIp(socket.remoteAddress, undefined, 0);
    // A socket closed before its first request has no address: nothing to remember.
    if (socket.remoteAddress !== undefined) socketAddresses.set(socket, address);
  }
  return address;
}

/** The path of a request URL without its query string (which may carry OAuth parameters). */
export function pathOnly(url: string | undefined): string {
  const path = (url ?? '/').split('?')[0] ?? '/';
  return path.length > 512 ? `${path.slice(0, 512)}…` : path;
}
