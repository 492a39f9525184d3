import 'server-only';
import { getConfig } from '../config';
import { introspectionEndpoint } from './endpoints/introspection';
import { revocationEndpoint } from './endpoints/revocation';
import { tokenEndpoint } from './endpoints/token';
import { userinfoEndpoint } from './endpoints/userinfo';
import { preflightForRegisteredOrigins } from './cors';
import { publishedJwks } from './keys/signing-keys';
import { discoveryDocument, ENDPOINT_PATHS, publicDocumentPreflight, publicDocumentResponse } from './metadata';

type Handler = (request: Request) => Promise<Response>;
export type ProtocolRoute = Partial<Record<'GET' | 'POST' | 'OPTIONS', Handler>>;

const preflight: Handler = async (request) => preflightForRegisteredOrigins(request);

export const discoveryRoute = {
  GET: async () => publicDocumentResponse(discoveryDocument(getConfig().issuer)),
  OPTIONS: async () => publicDocumentPreflight(),
} satisfies ProtocolRoute;

export const jwksRoute = {
  GET: async () => publicDocumentResponse(await publishedJwks()),
  OPTIONS: async () => publicDocumentPreflight(),
} satisfies ProtocolRoute;

export const tokenRoute = { POST: (request: Request) => tokenEndpoint(request), OPTIONS: preflight } satisfies ProtocolRoute;
export const introspectionRoute = { POST: (request: Request) => introspectionEndpoint(request), OPTIONS: preflight } satisfies ProtocolRoute;
export const revocationRoute = { POST: (request: Request) => revocationEndpoint(request), OPTIONS: preflight } satisfies ProtocolRoute;
export const userinfoRoute = {
  GET: (request: Request) => userinfoEndpoint(request),
  POST: (request: Request) => userinfoEndpoint(request),
  OPTIONS: preflight,
} satisfies ProtocolRoute;

/**
 * The machine-to-machine protocol endpoints: plain Request → Response functions, declared once.
 * Next.js serves them through app/ route files, and Optare's own HTTP server serves them
 * directly, before Next.js, because Next's request pipeline costs far more than the work itself
 * (docs/decisions.md has the measurement).
 */
export const PROTOCOL_ROUTES: ReadonlyMap<string, ProtocolRoute> = new Map<string, ProtocolRoute>([
  ['/.well-known/openid-configuration', discoveryRoute],
  ['/.well-known/oauth-authorization-server', discoveryRoute],
  [ENDPOINT_PATHS.jwks, jwksRoute],
  [ENDPOINT_PATHS.token, tokenRoute],
  [ENDPOINT_PATHS.introspection, introspectionRoute],
  [ENDPOINT_PATHS.revocation, revocationRoute],
  [ENDPOINT_PATHS.userinfo, userinfoRoute],
]);
