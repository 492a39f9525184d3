const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface OriginCheckInput {
  method: string;
  origin: string | null;
  secFetchSite: string | null;
  host: string | null;
  issuer: string;
}

/**
 * CSRF defence for cookie-authenticated, state-changing requests: the browser must say the
 * request comes from Optare's own origin. `Origin` is sent by every current browser on POST;
 * when it is absent or opaque, `Sec-Fetch-Site` must say same-origin. Requests with neither (curl,
 * server-to-server) carry no browser cookies an attacker could ride, so they are allowed.
 */
export function isCrossSiteWrite({ method, origin, secFetchSite, host, issuer }: OriginCheckInput): boolean {
  if (SAFE_METHODS.has(method.toUpperCase())) return false;
  if (origin !== null && origin !== 'null') {
    const issuerUrl = new URL(issuer);
    const allowed = new Set([issuerUrl.origin]);
    if (host) allowed.add(`${issuerUrl.protocol}//${host}`);
    return !allowed.has(origin);
  }
  // An opaque Origin ("null": sandboxed frames, data: URLs, or a referrer policy that hides the
  // origin) is decided by Sec-Fetch-Site, which only the browser can set.
  if (secFetchSite !== null) return secFetchSite !== 'same-origin' && secFetchSite !== 'none';
  return origin === 'null';
}
