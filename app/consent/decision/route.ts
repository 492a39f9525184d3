import { consentDecisionRoute, nextRouteHandlers } from '@/lib/oauth/routes';

// Optare's server answers this route before Next.js; the handler is lib/oauth/endpoints/consent-decision.ts.
export const { POST } = nextRouteHandlers(consentDecisionRoute);
