import { logoutEndpoint } from '@/lib/oauth/endpoints/logout';

/** RP-Initiated Logout 1.0 end_session_endpoint (lib/oauth/endpoints/logout.ts). */
export function GET(request: Request) {
  return logoutEndpoint(request);
}

export function POST(request: Request) {
  return logoutEndpoint(request);
}
