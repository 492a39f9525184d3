import { nextRouteHandlers, readinessRoute } from '@/lib/oauth/routes';

export const dynamic = 'force-dynamic';

// Declared once in lib/oauth/routes.ts; Optare's own server answers this path before Next.js.
export const { GET } = nextRouteHandlers(readinessRoute);
