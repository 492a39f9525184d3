import { continueAuthorizationRoute, nextRouteHandlers } from '@/lib/oauth/routes';

export const dynamic = 'force-dynamic';

// Resumes a pending authorization request after sign-in, sign-up or consent: ?request=<handle>.
// Declared once in lib/oauth/routes.ts; Optare's own server answers this path before Next.js.
export const { GET } = nextRouteHandlers(continueAuthorizationRoute);
