import { authorizationEndpoint } from '@/lib/oauth/endpoints/authorize';

/** The OAuth 2.0 / OpenID Connect authorization endpoint (lib/oauth/endpoints/authorize.ts). */
export function GET(request: Request) {
  return authorizationEndpoint(request);
}

/** Form POST (OIDC Core §3.1.2.1); proxy.ts lets relying parties' cross-site POSTs through. */
export function POST(request: Request) {
  return authorizationEndpoint(request);
}
