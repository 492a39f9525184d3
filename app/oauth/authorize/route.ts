import { authorizationRoute, nextRouteHandlers } from '@/lib/oauth/routes';

export const dynamic = 'force-dynamic';

// The OAuth 2.0 / OpenID Connect authorization endpoint (lib/oauth/endpoints/authorize.ts), declared
// once in lib/oauth/routes.ts; Optare's own server answers this path before Next.js.
export const { GET, POST } = nextRouteHandlers(authorizationRoute);
