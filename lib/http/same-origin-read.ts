/**
 * Whether a browser says a GET that returns personal data was asked for by another site: its
 * `Sec-Fetch-Site` is cross-site or same-site (a sibling subdomain), or its `Origin` is another
 * origin. A link followed on Optare's own pages says same-origin; one typed or bookmarked, none.
 * Requests with neither header (curl) carry no cookie an attacker could ride.
 */
export function isCrossSiteRead(request: Request, issuer: string): boolean {
  const site = request.headers.get('sec-fetch-site');
  if (site !== null && site !== 'same-origin' && site !== 'none') return true;
  const origin = request.headers.get('origin');
  return origin !== null && origin !== new URL(issuer).origin;
}
