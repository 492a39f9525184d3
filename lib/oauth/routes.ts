import 'server-only';
import { getConfig } from '../config';
import { cspReportEndpoint, CSP_REPORT_PATH } from '../http/csp-report';
import { livenessEndpoint, readinessEndpoint } from '../http/probes';
import type { ProtocolRequest, ProtocolResponse } from '../http/protocol-message';
import { CONTINUE_PATH } from './authorize/handle';
import { SIGN_IN_PATH, signInEndpoint } from '../auth/endpoints/sign-in';
import { authorizationEndpoint, continueAuthorization } from './endpoints/authorize';
import { CONSENT_DECISION_PATH, consentDecisionEndpoint } from './endpoints/consent-decision';
import { introspectionEndpoint } from './endpoints/introspection';
import { logoutEndpoint } from './endpoints/logout';
import { revocationEndpoint } from './endpoints/revocation';
import { tokenEndpoint } from './endpoints/token';
import { userinfoEndpoint } from './endpoints/userinfo';
import { preflightForRegisteredOrigins } from './cors';
import { publishedJwks } from './keys/signing-keys';
import { discoveryDocument, ENDPOINT_PATHS, publicDocumentCache, publicDocumentPreflight } from './metadata';

type Method = 'GET' | 'POST' | 'OPTIONS';
export type ProtocolHandler = (request: ProtocolRequest) => Promise<ProtocolResponse>;
export type ProtocolRoute = Partial<Record<Method, ProtocolHandler>>;

const preflight: ProtocolHandler = async (request) => preflightForRegisteredOrigins(request);

const discoveryResponse = publicDocumentCache();
export const discoveryRoute = {
  GET: async () => {
    const { issuer } = getConfig();
    return discoveryResponse(issuer, () => discoveryDocument(issuer));
  },
  OPTIONS: async () => publicDocumentPreflight(),
} satisfies ProtocolRoute;

const jwksResponse = publicDocumentCache();
export const jwksRoute = {
  GET: async () => {
    const jwks = await publishedJwks();
    return jwksResponse(jwks.keys.map((key) => key.kid).join(' '), () => jwks);
  },
  OPTIONS: async () => publicDocumentPreflight(),
} satisfies ProtocolRoute;

export const tokenRoute = { POST: (request: ProtocolRequest) => tokenEndpoint(request), OPTIONS: preflight } satisfies ProtocolRoute;
export const introspectionRoute = { POST: (request: ProtocolRequest) => introspectionEndpoint(request), OPTIONS: preflight } satisfies ProtocolRoute;
export const revocationRoute = { POST: (request: ProtocolRequest) => revocationEndpoint(request), OPTIONS: preflight } satisfies ProtocolRoute;
export const cspReportRoute = { POST: (request: ProtocolRequest) => cspReportEndpoint(request) } satisfies ProtocolRoute;
// The health probes: answered here so that a load balancer's probes never wake Next.js (lib/server/async-context-gate.ts).
export const livenessRoute = { GET: () => livenessEndpoint() } satisfies ProtocolRoute;
export const readinessRoute = { GET: () => readinessEndpoint() } satisfies ProtocolRoute;
// The browser-facing protocol endpoints: every answer is a 303 (lib/oauth/authorize/respond.ts).
export const authorizationRoute = {
  GET: (request: ProtocolRequest) => authorizationEndpoint(request),
  // Form POST (OIDC Core §3.1.2.1); proxy.ts lets relying parties' cross-site POSTs through.
  POST: (request: ProtocolRequest) => authorizationEndpoint(request),
} satisfies ProtocolRoute;
export const continueAuthorizationRoute = { GET: (request: ProtocolRequest) => continueAuthorization(request) } satisfies ProtocolRoute;
export const logoutRoute = {
  GET: (request: ProtocolRequest) => logoutEndpoint(request),
  POST: (request: ProtocolRequest) => logoutEndpoint(request),
} satisfies ProtocolRoute;
// The JSON endpoints of the hosted sign-in flow: a password sign-in and the consent page's answer.
export const signInRoute = { POST: (request: ProtocolRequest) => signInEndpoint(request) } satisfies ProtocolRoute;
export const consentDecisionRoute = { POST: (request: ProtocolRequest) => consentDecisionEndpoint(request) } satisfies ProtocolRoute;
export const userinfoRoute = {
  GET: (request: ProtocolRequest) => userinfoEndpoint(request),
  POST: (request: ProtocolRequest) => userinfoEndpoint(request),
  OPTIONS: preflight,
} satisfies ProtocolRoute;

/**
 * The protocol endpoints: plain Request → Response functions, declared once. Next.js serves them
 * through app/ route files, and Optare's own HTTP server serves them directly, before Next.js,
 * because Next's request pipeline costs far more than the work itself (docs/decisions.md has the
 * measurement). None of them renders a page: the browser-facing ones (authorization, its
 * continuation, logout) answer with redirects only, the sign-in flow's two JSON endpoints
 * (password sign-in, the consent decision) with JSON and cookies, and the health probes with JSON.
 */
export const PROTOCOL_ROUTES: ReadonlyMap<string, ProtocolRoute> = new Map<string, ProtocolRoute>([
  ['/.well-known/openid-configuration', discoveryRoute],
  ['/.well-known/oauth-authorization-server', discoveryRoute],
  [ENDPOINT_PATHS.jwks, jwksRoute],
  [ENDPOINT_PATHS.token, tokenRoute],
  [ENDPOINT_PATHS.introspection, introspectionRoute],
  [ENDPOINT_PATHS.revocation, revocationRoute],
  [ENDPOINT_PATHS.userinfo, userinfoRoute],
  [ENDPOINT_PATHS.authorization, authorizationRoute],
  [CONTINUE_PATH, continueAuthorizationRoute],
  [ENDPOINT_PATHS.endSession, logoutRoute],
  [SIGN_IN_PATH, signInRoute],
  [CONSENT_DECISION_PATH, consentDecisionRoute],
  [CSP_REPORT_PATH, cspReportRoute],
  ['/healthz', livenessRoute],
  ['/readyz', readinessRoute],
]);

/** The routes above that answer in Optare's JSON API error shape rather than OAuth's. */
export const JSON_API_PATHS: ReadonlySet<string> = new Set([SIGN_IN_PATH, CONSENT_DECISION_PATH]);

/** A route's handlers as Next.js route handlers, which must answer with a Fetch Response. */
export function nextRouteHandlers<R extends ProtocolRoute>(route: R): { [M in keyof R]: (request: Request) => Promise<Response> } {
  const handlers: Partial<Record<Method, (request: Request) => Promise<Response>>> = {};
  for (const [method, handler] of Object.entries(route) as [Method, ProtocolHandler][]) {
    handlers[method] = async (request) => (await handler(request)).toResponse();
  }
  return handlers as { [M in keyof R]: (request: Request) => Promise<Response> };
}
