import { tokenEndpoint } from '@/lib/oauth/endpoints/token';
import { preflightForRegisteredOrigins } from '@/lib/oauth/cors';

/** The token endpoint (lib/oauth/endpoints/token.ts); POST only. */
export function POST(request: Request) {
  return tokenEndpoint(request);
}

/** CORS preflight: allowed for origins registered on some client; the POST decides per client. */
export function OPTIONS(request: Request) {
  return preflightForRegisteredOrigins(request);
}
