import { logoutRoute, nextRouteHandlers } from '@/lib/oauth/routes';

export const dynamic = 'force-dynamic';

// RP-Initiated Logout 1.0 end_session_endpoint (lib/oauth/endpoints/logout.ts), declared once in
// lib/oauth/routes.ts; Optare's own server answers this path before Next.js.
export const { GET, POST } = nextRouteHandlers(logoutRoute);
