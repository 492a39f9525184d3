import type { FieldErrors } from '../validation/account';
import { auditRefusal } from '../audit/refusals';
import { auditContextFrom } from './audit-context';
import type { ProtocolRequest } from './protocol-message';
import { isCrossSiteWrite } from './same-origin';

const NO_STORE = { 'cache-control': 'no-store' };

/**
 * Sent whenever Optare ends a browser's session (sign-out, RP-initiated logout): the browser
 * drops what it cached and stored for this origin. Not "cookies": that would also forget a
 * browser the user chose to trust for their second factor; the cookies that carry a sign-in are
 * deleted one by one.
 */
export const CLEAR_SITE_DATA = { 'Clear-Site-Data': '"cache", "storage"' } as const;

/** The one error shape of Optare's own JSON API (OAuth endpoints use RFC 6749's instead). */
export function jsonError(status: number, error: string, message: string, fieldErrors?: FieldErrors): Response {
  return Response.json({ error, message, ...(fieldErrors ? { fieldErrors } : {}) }, { status, headers: NO_STORE });
}

/** 429 with Retry-After, in the JSON API's error shape. */
export function tooManyRequests(retryAfterSeconds: number, message: string): Response {
  return Response.json(
    { error: 'rate_limited', message, retryAfterSeconds },
    { status: 429, headers: { ...NO_STORE, 'retry-after': String(retryAfterSeconds) } },
  );
}

/** 503 with Retry-After, in the JSON API's error shape: the request may succeed if sent again later. */
export function serviceUnavailable(retryAfterSeconds: number, message: string): Response {
  return Response.json(
    { error: 'service_unavailable', message },
    { status: 503, headers: { ...NO_STORE, 'retry-after': String(retryAfterSeconds) } },
  );
}

/** "Try again in 5 minutes." */
export function retryAfterText(seconds: number): string {
  if (seconds < 90) return `${seconds} ${seconds === 1 ? 'second' : 'seconds'}`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 90) return `${minutes} minutes`;
  const hours = Math.ceil(minutes / 60);
  return `${hours} ${hours === 1 ? 'hour' : 'hours'}`;
}

export function jsonOk(body: unknown, status = 200): Response {
  return Response.json(body, { status, headers: NO_STORE });
}

/** Route handlers check the origin themselves too: proxy.ts must never be the only guard. */
export function crossSiteRefusal(request: ProtocolRequest, issuer: string): Response | null {
  const cross = isCrossSiteWrite({
    method: request.method,
    origin: request.headers.get('origin'),
    secFetchSite: request.headers.get('sec-fetch-site'),
    host: request.headers.get('host'),
    issuer,
  });
  if (!cross) return null;
  auditCrossSiteRefusal(request);
  return jsonError(403, 'cross_site_request', 'This request came from another site and was refused.');
}

/** Audits a refused cross-site write (lib/audit/refusals.ts: once a minute per path and address). */
export function auditCrossSiteRefusal(request: Pick<ProtocolRequest, 'url' | 'method' | 'headers'>): void {
  const path = new URL(request.url).pathname;
  const origin = request.headers.get('origin');
  const site = request.headers.get('sec-fetch-site');
  auditRefusal({
    type: 'security.cross_site_refused',
    reason: 'cross_site_request',
    subject: path,
    details: { method: request.method, origin: origin === null ? null : origin.slice(0, 200), site: site === null ? null : site.slice(0, 32) },
    context: auditContextFrom(request.headers),
  });
}
