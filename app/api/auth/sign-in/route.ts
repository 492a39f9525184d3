import { nextRouteHandlers, signInRoute } from '@/lib/oauth/routes';

// Optare's server answers this route before Next.js; the handler is lib/auth/endpoints/sign-in.ts.
export const { POST } = nextRouteHandlers(signInRoute);
