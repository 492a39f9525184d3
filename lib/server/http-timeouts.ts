import type http from 'node:http';

/**
 * How long a client may hold a connection (README, "Timeouts and retries"). A client that takes
 * longer gets 408 Request Timeout and the connection is closed.
 */
export const HTTP_TIMEOUTS = {
  /** The request line and headers, counted from the connection's first byte. */
  headersMs: 10_000,
  /** A whole request, headers and body. */
  requestMs: 30_000,
  /** An idle keep-alive connection between two requests, unless OPTARE_HTTP_KEEP_ALIVE_TIMEOUT says otherwise. */
  keepAliveMs: 5_000,
  /** A TLS handshake, on the HTTPS listener. */
  tlsHandshakeMs: 10_000,
} as const;

/**
 * How often Node looks for requests past those limits. Its default, 30 s, let a client that
 * trickles its headers keep the connection 30 to 40 s instead of 10 (measured on Node 20).
 */
const CHECK_EVERY_MS = 1_000;

/** Server options that enforce HTTP_TIMEOUTS, or the request and keep-alive limits given. */
export function httpTimeoutOptions({
  requestMs = HTTP_TIMEOUTS.requestMs,
  keepAliveMs = HTTP_TIMEOUTS.keepAliveMs,
}: { requestMs?: number; keepAliveMs?: number } = {}): http.ServerOptions {
  return {
    connectionsCheckingInterval: CHECK_EVERY_MS,
    headersTimeout: HTTP_TIMEOUTS.headersMs,
    requestTimeout: requestMs,
    keepAliveTimeout: keepAliveMs,
  };
}
