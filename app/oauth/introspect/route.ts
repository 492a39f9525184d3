import { introspectionEndpoint } from '@/lib/oauth/endpoints/introspection';
import { preflightForRegisteredOrigins } from '@/lib/oauth/cors';

/** Token introspection, RFC 7662 (lib/oauth/endpoints/introspection.ts); POST only. */
export function POST(request: Request) {
  return introspectionEndpoint(request);
}

export function OPTIONS(request: Request) {
  return preflightForRegisteredOrigins(request);
}
