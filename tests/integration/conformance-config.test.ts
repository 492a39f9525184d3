/**
 * oidcc-config-certification-test-plan ("Config OP"): its one module,
 * oidcc-discovery-endpoint-verification, checked condition by condition against the discovery
 * document and JWKS as Optare serves them: the routes declared once in lib/oauth/routes.ts (which
 * the Next.js route files export) and Optare's own HTTP fast path in front of them. Plus what the plan's note on IdToken.verify() asks of the other
 * plans, and what no spoofed Host, X-Forwarded-Host or X-Forwarded-Proto may change.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forgetCachedSigningKeys, rotateSigningKey } from '../../lib/oauth/keys/signing-keys';
import { continueAuthorization, authorizationEndpoint } from '../../lib/oauth/endpoints/authorize';
import { logoutEndpoint } from '../../lib/oauth/endpoints/logout';
import { discoveryDocument } from '../../lib/oauth/metadata';
import { discoveryRoute, jwksRoute, PROTOCOL_ROUTES } from '../../lib/oauth/routes';
import { protocolHandler, serveProtocolRequest } from '../../lib/server/protocol-fast-path';
import type { TestDatabase } from '../support/database';
import { newUser, openAuthorizeTestDatabase, signIn } from './authorize-support';
import {
  approveConsentIfAsked,
  codeExchange,
  expectSuiteCode,
  expectTokenResponse,
  expectValidIdToken,
  ISSUER,
  POST_LOGOUT_REDIRECT_URI,
  suiteClient,
  suiteRequest,
  type SuiteClient,
} from './conformance-support';

const DISCOVERY_URL = `${ISSUER}/.well-known/openid-configuration`;
/** Everything a proxy or an attacker could send to make a server think it is someone else. */
const SPOOFED = {
  host: 'evil.example',
  'x-forwarded-host': 'evil.example',
  'x-forwarded-proto': 'http',
  'x-forwarded-port': '8443',
  forwarded: 'for=198.51.100.7;host=evil.example;proto=http',
  'x-original-url': '/elsewhere',
} as const;

let database: TestDatabase;
let suite: SuiteClient;
let user: { id: string; email: string };
beforeAll(async () => {
  database = await openAuthorizeTestDatabase();
  suite = await suiteClient();
  user = await newUser();
});
afterAll(() => database.close());

/** A GET answered by Optare's own HTTP server (lib/server/protocol-fast-path.ts), headers as sent. */
async function viaFastPath(path: string, headers: Record<string, string> = {}) {
  const handler = protocolHandler('GET', path);
  if (!handler) throw new Error(`no fast-path route for ${path}`);
  let status = 0;
  const responseHeaders: Record<string, string> = {};
  let body = '';
  const req = { method: 'GET', url: path, headers } as unknown as IncomingMessage;
  const res = {
    // The fast path hands writeHead one list of names and values, as Node's http module takes it.
    writeHead(code: number, values: string[]) {
      status = code;
      for (let i = 0; i < values.length; i += 2) responseHeaders[values[i]!.toLowerCase()] = values[i + 1]!;
    },
    end(payload: Uint8Array | string | null) {
      body = payload === null ? '' : Buffer.from(payload).toString('utf8');
    },
  } as unknown as ServerResponse;
  await serveProtocolRequest(handler, req, res, { issuer: ISSUER, requestId: 'request-1', close: false });
  return { status, headers: responseHeaders, json: JSON.parse(body) as Record<string, unknown> };
}

/** The document as the route declared once in lib/oauth/routes.ts serves it (Next.js and the fast path share it). */
async function fetchDocument() {
  const response = await discoveryRoute.GET();
  expect(response.status).toBe(200); // EnsureDiscoveryEndpointResponseStatusCodeIs200
  expect(response.headers.get('content-type')).toMatch(/^application\/json/); // CheckDiscoveryEndpointReturnedJsonContentType
  return (await response.json()) as Record<string, unknown>;
}

const isHttpsUrl = (value: unknown) => typeof value === 'string' && new URL(value).protocol === 'https:';

describe('oidcc-config-certification-test-plan', () => {
  describe('oidcc-discovery-endpoint-verification', () => {
    it('serves the document at an https …/.well-known/openid-configuration URL, as JSON, 200 (CheckDiscEndpointDiscoveryUrl)', async () => {
      expect(PROTOCOL_ROUTES.has('/.well-known/openid-configuration')).toBe(true);
      expect(isHttpsUrl(DISCOVERY_URL)).toBe(true);
      expect(await fetchDocument()).toEqual(discoveryDocument(ISSUER));
    });

    it('names as issuer exactly the URL the document was fetched from, minus the well-known suffix (CheckDiscEndpointIssuer)', async () => {
      const document = await fetchDocument();
      expect(document.issuer).toBe(DISCOVERY_URL.slice(0, -'/.well-known/openid-configuration'.length));
      expect(document.issuer).not.toMatch(/\/$/);
    });

    it('lists response types, subject types and RS256 as the suite requires; no userinfo_signing_alg_values_supported', async () => {
      const document = await fetchDocument();
      // OIDCCCheckDiscEndpointResponseTypesSupported: at least one OIDC response type.
      expect(document.response_types_supported).toContain('code');
      // CheckDiscEndpointSubjectTypesSupported: public or pairwise.
      expect(document.subject_types_supported).toEqual(['public']);
      // OIDCCCheckDiscEndpointIdTokenSigningAlgValuesSupported: RS256; and never "none" (oidcc-idtoken-unsigned).
      expect(document.id_token_signing_alg_values_supported).toContain('RS256');
      expect(document.id_token_signing_alg_values_supported).not.toContain('none');
      // OIDCCCheckDiscEndpointUserinfoSigningAlgValuesSupported is skipped: userinfo is plain JSON.
      expect(document).not.toHaveProperty('userinfo_signing_alg_values_supported');
    });

    it('has https authorization, token, userinfo endpoints and jwks_uri; no registration endpoint; every *_endpoint https', async () => {
      const document = await fetchDocument();
      for (const name of ['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri']) {
        expect(isHttpsUrl(document[name])).toBe(true);
        expect(String(document[name]).startsWith(`${ISSUER}/`)).toBe(true);
      }
      // CheckDiscEndpointRegistrationEndpoint is skipped: clients are registered by the operator.
      expect(document).not.toHaveProperty('registration_endpoint');
      // CheckDiscEndpointAllEndpointsAreHttps
      const endpoints = Object.keys(document).filter((name) => name.endsWith('_endpoint'));
      expect(endpoints.length).toBeGreaterThanOrEqual(6);
      for (const name of endpoints) expect(isHttpsUrl(document[name])).toBe(true);
    });

    it('publishes a JWKS of public RSA keys, each with a distinct kid and unpadded base64url members (FetchServerKeys, ValidateServerJWKs, …)', async () => {
      // Two keys after a rotation: the retired one stays published.
      await rotateSigningKey();
      forgetCachedSigningKeys();
      const response = await jwksRoute.GET();
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      const jwks = (await response.json()) as { keys: Record<string, unknown>[] };
      expect(jwks.keys.length).toBeGreaterThanOrEqual(2);
      for (const key of jwks.keys) {
        expect(key.kty).toBe('RSA');
        expect(key.n).toMatch(/^[A-Za-z0-9_-]+$/);
        expect(key.e).toMatch(/^[A-Za-z0-9_-]+$/);
        // CheckForKeyIdInServerJWKs
        expect(key.kid).toEqual(expect.any(String));
        // EnsureServerJwksDoesNotContainPrivateOrSymmetricKeys
        for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']) expect(key).not.toHaveProperty(secret);
        if ('use' in key) expect(key.use).toBe('sig');
      }
      // CheckDistinctKeyIdValueInServerJWKs
      expect(new Set(jwks.keys.map((key) => key.kid)).size).toBe(jwks.keys.length);
    });

    it('says what it does about request objects and claims (INFO conditions), and lists claims, grant types and scopes', async () => {
      const document = await fetchDocument();
      // CheckDiscEndpointRequestParameterSupported, …RequestUriParameterSupported: not supported, and said so.
      expect(document.request_parameter_supported).toBe(false);
      expect(document.request_uri_parameter_supported).toBe(false);
      // CheckDiscEndpointRequestObjectSigningAlgValuesSupportedIncludesRS256 is skipped.
      expect(document).not.toHaveProperty('request_object_signing_alg_values_supported');
      // CheckDiscEndpointClaimsParameterSupported
      expect(document.claims_parameter_supported).toBe(true);
      // OIDCCCheckDiscEndpointClaimsSupported: an array (a warning if absent).
      expect(document.claims_supported).toEqual(expect.arrayContaining(['sub', 'name', 'email', 'email_verified', 'updated_at', 'auth_time']));
      // OIDCCCheckDiscEndpointGrantTypesSupported: a non-empty array.
      expect(document.grant_types_supported).toEqual(expect.arrayContaining(['authorization_code', 'refresh_token']));
      // CheckDiscEndpointScopesSupportedContainsOpenId
      expect(document.scopes_supported).toContain('openid');
    });

    it('serves the same document and JWKS through the fast path, whatever Host or X-Forwarded-* say', async () => {
      const spoofed = await viaFastPath('/.well-known/openid-configuration', SPOOFED);
      const plain = await viaFastPath('/.well-known/openid-configuration');
      expect(spoofed.status).toBe(200);
      expect(String(spoofed.headers['content-type'])).toMatch(/^application\/json/);
      expect(spoofed.json).toEqual(discoveryDocument(ISSUER));
      expect(plain.json).toEqual(spoofed.json);
      expect(JSON.stringify(spoofed.json)).not.toContain('evil.example');
      const rfc8414 = await viaFastPath('/.well-known/oauth-authorization-server', SPOOFED);
      expect(rfc8414.json).toEqual(discoveryDocument(ISSUER));
      const jwks = await viaFastPath('/oauth/jwks', SPOOFED);
      expect(jwks.status).toBe(200);
      expect((jwks.json.keys as unknown[]).length).toBeGreaterThanOrEqual(1);
    });
  });
});

describe('the issuer and every URL Optare sends ignore spoofed Host and X-Forwarded-* headers', () => {
  /** A request as Next.js could hand it over when Host says evil.example. */
  const spoofedRequest = (pathAndQuery: string, cookie?: string) =>
    new Request(`http://evil.example${pathAndQuery}`, { headers: { ...SPOOFED, ...(cookie ? { cookie } : {}) } });

  it('authorization: the sign-in page, the redirect with iss, and the ID token iss are the configured issuer', async () => {
    // No session: the sign-in page is on the issuer.
    const params = suiteRequest(suite.client);
    const toSignIn = new URL((await authorizationEndpoint(spoofedRequest(`/oauth/authorize?${params}`))).headers.get('location')!);
    expect(toSignIn.origin).toBe(ISSUER);
    expect(toSignIn.pathname).toBe('/sign-in');
    // Signed in, through the continue route: the code comes back with iss = issuer.
    const browser = await signIn(user);
    const continued = await continueAuthorization(spoofedRequest(`/oauth/authorize/continue?request=${toSignIn.searchParams.get('request')}`, browser.cookie));
    const url = await approveConsentIfAsked(new URL(continued.headers.get('location')!), browser);
    const code = expectSuiteCode(url, params.get('state'));
    // The token request with the same headers: iss is still the issuer (IdToken.verify: discovered issuer = ID token iss).
    const tokens = expectTokenResponse(await codeExchange(suite, code, {}, { headers: { ...SPOOFED } }));
    const idToken = await expectValidIdToken(tokens.id_token, { client: suite.client, nonce: params.get('nonce'), accessToken: tokens.access_token });
    expect(idToken.iss).toBe(ISSUER);
  });

  it('errors: the error page and the client error redirect carry the configured issuer', async () => {
    const unknownRedirect = suiteRequest(suite.client, { redirect_uri: 'https://evil.example/callback' });
    const errorPage = new URL((await authorizationEndpoint(spoofedRequest(`/oauth/authorize?${unknownRedirect}`))).headers.get('location')!);
    expect(`${errorPage.origin}${errorPage.pathname}`).toBe(`${ISSUER}/oauth/error`);
    const silent = suiteRequest(suite.client, { prompt: 'none' });
    const error = new URL((await authorizationEndpoint(spoofedRequest(`/oauth/authorize?${silent}`))).headers.get('location')!);
    expect(error.searchParams.get('error')).toBe('login_required');
    expect(error.searchParams.get('iss')).toBe(ISSUER);
  });

  it('logout: the signed-out page and the confirmation page are on the configured issuer', async () => {
    const browser = await signIn(user);
    const confirm = new URL((await logoutEndpoint(spoofedRequest('/oauth/logout', browser.cookie))).headers.get('location')!);
    expect(`${confirm.origin}${confirm.pathname}`).toBe(`${ISSUER}/oauth/logout/confirm`);
    const done = new URL((await logoutEndpoint(spoofedRequest(`/oauth/logout?post_logout_redirect_uri=${encodeURIComponent(POST_LOGOUT_REDIRECT_URI)}`))).headers.get('location')!);
    expect(done.href).toBe(`${ISSUER}/oauth/logout/done`);
  });
});
