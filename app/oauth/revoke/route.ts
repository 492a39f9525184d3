import { revocationEndpoint } from '@/lib/oauth/endpoints/revocation';
import { preflightForRegisteredOrigins } from '@/lib/oauth/cors';

/** Token revocation, RFC 7009 (lib/oauth/endpoints/revocation.ts); POST only. */
export function POST(request: Request) {
  return revocationEndpoint(request);
}

export function OPTIONS(request: Request) {
  return preflightForRegisteredOrigins(request);
}
