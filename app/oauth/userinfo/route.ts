import { userinfoEndpoint } from '@/lib/oauth/endpoints/userinfo';
import { preflightForRegisteredOrigins } from '@/lib/oauth/cors';

/** The OIDC UserInfo endpoint (lib/oauth/endpoints/userinfo.ts): GET and POST. */
export function GET(request: Request) {
  return userinfoEndpoint(request);
}

export function POST(request: Request) {
  return userinfoEndpoint(request);
}

export function OPTIONS(request: Request) {
  return preflightForRegisteredOrigins(request);
}
