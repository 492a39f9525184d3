import { getConfig } from '@/lib/config';

export const dynamic = 'force-dynamic';

/** RFC 9116 asks for an expiry under a year away; a fresh one is computed at every request. */
const VALID_DAYS = 180;
const DAY_MS = 86_400_000;

/** The security contact file of RFC 9116: where to report a vulnerability in this deployment. */
export function GET() {
  const config = getConfig();
  const expires = new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS + VALID_DAYS * DAY_MS);
  const body = [
    `Contact: ${config.securityContact}`,
    `Expires: ${expires.toISOString().replace('.000Z', 'Z')}`,
    `Canonical: ${config.issuer}/.well-known/security.txt`,
    'Preferred-Languages: en',
    '',
  ].join('\n');
  return new Response(body, {
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'public, max-age=86400' },
  });
}
