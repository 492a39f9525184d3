/**
 * Shared by the conformance-*.test.ts files, which map the OpenID Foundation's certification
 * test plans (openid-certification/conformance-suite) module by module: a browserless relying
 * party that does what the suite does (authorization request, consent approved by the "user",
 * token request, userinfo) and checks what the suite's conditions check. docs/conformance.md
 * lists every module and the test that covers it.
 */
import { randomBytes } from 'node:crypto';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import { expect } from 'vitest';
import { validateSessionToken } from '../../lib/auth/sessions';
import { sha256 } from '../../lib/crypto/hash';
import { answerConsent } from '../../lib/oauth/authorize/consent';
import { createClient } from '../../lib/oauth/clients/registration';
import type { OAuthClientRecord } from '../../lib/oauth/clients/types';
import { tokenEndpoint } from '../../lib/oauth/endpoints/token';
import { userinfoEndpoint } from '../../lib/oauth/endpoints/userinfo';
import { publishedJwks } from '../../lib/oauth/keys/signing-keys';
import { testContext } from '../support/context';
import { authorizeGet, ISSUER, location, REDIRECT_URI, type SignedInUser } from './authorize-support';

export { ISSUER, REDIRECT_URI };
/** Where the suite asks to be sent after logout (its `…/post_logout_redirect` URL). */
export const POST_LOGOUT_REDIRECT_URI = 'https://app.example.test/post_logout_redirect';

/** A client registered as the suite's static client: confidential, its secret known to the suite. */
export interface SuiteClient {
  client: OAuthClientRecord;
  secret: string;
}

/**
 * The registration the certification plans need: a confidential client (client_secret_basic
 * unless overridden) with the authorization_code and refresh_token grants and every scope,
 * third-party (the suite's user approves the consent page), and PKCE optional, because the
 * plans' requests carry no code_challenge except in oidcc-ensure-request-with-valid-pkce-succeeds.
 */
export async function suiteClient(overrides: Record<string, unknown> = {}): Promise<SuiteClient> {
  const result = await createClient(
    {
      name: 'OpenID conformance suite',
      redirectUris: [REDIRECT_URI],
      postLogoutRedirectUris: [POST_LOGOUT_REDIRECT_URI],
      grantTypes: ['authorization_code', 'refresh_token'],
      scopes: ['openid', 'profile', 'email', 'offline_access'],
      requirePkce: false,
      ...overrides,
    },
    testContext(),
  );
  if (!result.ok || result.secret === null) throw new Error(`createClient failed: ${JSON.stringify(result.ok ? 'no secret' : result.fieldErrors)}`);
  return { client: result.client, secret: result.secret };
}

/** A random value like the suite's state and nonce (CreateRandomStateValue: 10 characters unless told). */
export function randomValue(length = 10): string {
  return randomBytes(length).toString('base64url').slice(0, length);
}

/** The suite's authorization request: response_type=code, scope=openid, state and nonce; override or drop (undefined). */
export function suiteRequest(client: OAuthClientRecord, overrides: Record<string, string | undefined> = {}): URLSearchParams {
  const values: Record<string, string | undefined> = {
    client_id: client.id,
    redirect_uri: REDIRECT_URI,
    scope: 'openid',
    state: randomValue(),
    nonce: randomValue(),
    response_type: 'code',
    ...overrides,
  };
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) if (value !== undefined) params.set(name, value);
  return params;
}

/**
 * What the suite's browser ends up with after sending `params` to the authorization endpoint:
 * when Optare shows the consent page, the user approves it. Returns the URL the browser is sent
 * to next: the client's redirect URI, or an Optare page (sign-in, error) to be checked.
 */
export async function authorize(params: URLSearchParams, browser?: SignedInUser, now = new Date()): Promise<URL> {
  return approveConsentIfAsked(location(await authorizeGet(params, browser?.cookie, now)), browser, now);
}

/** Approves the consent page the browser was sent to, as the user would; any other URL is returned as it is. */
export async function approveConsentIfAsked(url: URL, browser: SignedInUser | undefined, now = new Date()): Promise<URL> {
  if (`${url.origin}${url.pathname}` !== `${ISSUER}/consent` || !browser) return url;
  const session = await validateSessionToken(browser.token, testContext(), now);
  const redirectTo = await answerConsent({ handle: url.searchParams.get('request'), approve: true, session, context: testContext(), now });
  return new URL(redirectTo);
}

/** The parameters of a response at the redirect URI, asserting it went there with the request's state and iss. */
export function callback(url: URL, state: string | null): Record<string, string> {
  expect(`${url.origin}${url.pathname}`).toBe(REDIRECT_URI);
  const params = Object.fromEntries(url.searchParams);
  expect(params.state).toBe(state ?? undefined);
  // ValidateIssIfPresentInAuthorizationResponse (RFC 9207).
  expect(params.iss).toBe(ISSUER);
  return params;
}

/** A successful authorization response: only code, state and iss; the code long and random enough. */
export function expectSuiteCode(url: URL, state: string | null): string {
  const params = callback(url, state);
  expect(params.error).toBeUndefined();
  expect(Object.keys(params).sort()).toEqual(state === null ? ['code', 'iss'] : ['code', 'iss', 'state']);
  expectStrongSecret(params.code!);
  return params.code!;
}

/**
 * An error response as performGenericAuthorizationEndpointErrorResponseValidation checks it:
 * the expected error, state echoed intact, iss, no code, no unexpected parameter, and an
 * error_description within RFC 6749's character set.
 */
export function expectSuiteError(url: URL, errors: string | string[], state: string | null): Record<string, string> {
  const params = callback(url, state);
  expect([errors].flat()).toContain(params.error);
  expect(params.code).toBeUndefined();
  const unexpected = Object.keys(params).filter((name) => !['error', 'error_description', 'error_uri', 'state', 'session_state', 'iss'].includes(name));
  expect(unexpected).toEqual([]);
  expectValidErrorDescription(params.error_description);
  return params;
}

/** RFC 6749 §4.1.2.1, §5.2: error_description is %x20-21 / %x23-5B / %x5D-7E (the suite also allows TAB, LF, CR). */
export function expectValidErrorDescription(description: string | undefined): void {
  if (description === undefined) return;
  expect(description).toMatch(/^[\x09\x0a\x0d\x20-\x21\x23-\x5b\x5d-\x7e]+$/);
}

/** Shannon entropy of a string in bits, as AbstractEnsureMinimumEntropy measures it. */
export function shannonBits(value: string): number {
  const counts = new Map<string, number>();
  for (const character of value) counts.set(character, (counts.get(character) ?? 0) + 1);
  let perCharacter = 0;
  for (const count of counts.values()) {
    const p = count / value.length;
    perCharacter -= p * Math.log2(p);
  }
  return perCharacter * value.length;
}

/**
 * EnsureMinimumAuthorizationCodeLength / EnsureMinimumRefreshTokenLength (at least 128 bits
 * long) and …Entropy (more than 96 bits of measured entropy, the suite's allowance for 128),
 * and RFC 6749 Appendix A characters only.
 */
export function expectStrongSecret(value: string): void {
  expect(Buffer.byteLength(value) * 8).toBeGreaterThanOrEqual(128);
  expect(shannonBits(value)).toBeGreaterThan(96);
  expect(value).toMatch(/^[\x20-\x7e]+$/);
}

export interface TokenAnswer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/**
 * POST /oauth/token as the suite does it: client_secret_basic (the Authorization header) or
 * client_secret_post (client_id and client_secret in the body).
 */
export async function tokenRequest(
  { client, secret }: SuiteClient,
  params: Record<string, string>,
  { method = 'client_secret_basic', now, headers = {} }: { method?: 'client_secret_basic' | 'client_secret_post'; now?: Date; headers?: Record<string, string> } = {},
): Promise<TokenAnswer> {
  const form = new URLSearchParams(params);
  const requestHeaders: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', ...headers };
  if (method === 'client_secret_post') {
    form.set('client_id', client.id);
    form.set('client_secret', secret);
  } else {
    requestHeaders.authorization = `Basic ${Buffer.from(`${encodeURIComponent(client.id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
  }
  const response = await tokenEndpoint(new Request(`${ISSUER}/oauth/token`, { method: 'POST', headers: requestHeaders, body: form.toString() }), now);
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

export function codeExchange(suite: SuiteClient, code: string, extra: Record<string, string> = {}, options: Parameters<typeof tokenRequest>[2] = {}) {
  return tokenRequest(suite, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, ...extra }, options);
}

/**
 * A successful token response as the suite checks it: 200 JSON, not cacheable
 * (CheckTokenEndpointCacheHeaders), a Bearer access token, a valid expires_in, and an ID token.
 */
export function expectTokenResponse(answer: TokenAnswer): { access_token: string; id_token: string; refresh_token?: string; scope?: string } {
  expect(answer.status).toBe(200);
  expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
  expect(answer.headers.get('cache-control')).toContain('no-store');
  expect(answer.headers.get('pragma')).toBe('no-cache');
  expect(String(answer.body.token_type).toLowerCase()).toBe('bearer');
  expect(answer.body.access_token).toEqual(expect.any(String));
  expect(answer.body.access_token).toMatch(/^[\x20-\x7e]+$/);
  expect(shannonBits(answer.body.access_token as string)).toBeGreaterThan(96);
  expect(answer.body.expires_in).toBeGreaterThan(0);
  expect(answer.body.id_token).toEqual(expect.any(String));
  return answer.body as { access_token: string; id_token: string; refresh_token?: string; scope?: string };
}

/** A token error as the suite checks it (CheckTokenEndpointHttpStatus400, …ReturnedJsonContentType, ValidateError…). */
export function expectTokenError(answer: TokenAnswer, error: string): void {
  expect(answer.status).toBe(400);
  expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
  expect(answer.body.error).toBe(error);
  expectValidErrorDescription(answer.body.error_description as string | undefined);
  expect(answer.body.error_uri).toBeUndefined();
}

function leftHalfHash(value: string): string {
  return Buffer.from(sha256(value)).subarray(0, 16).toString('base64url');
}

/**
 * PerformStandardIdTokenChecks and oidcc-server's extra checks: RS256 with a kid found in the
 * JWKS (EnsureIdTokenContainsKid, ValidateIdTokenSignatureUsingKid), iss, aud, exp, iat within
 * the suite's 5-minute skew, a sub, the nonce of the request (or none), at_hash and c_hash
 * correct when present, updated_at a number when present, acr a string when present, and no
 * `name` (EnsureIdTokenDoesNotContainName) unless the test asks for it.
 */
export async function expectValidIdToken(
  idToken: string,
  {
    client,
    nonce,
    accessToken,
    code,
    allowName = false,
    now = new Date(),
  }: { client: OAuthClientRecord; nonce: string | null; accessToken?: string; code?: string; allowName?: boolean; now?: Date },
): Promise<JWTPayload & { sub: string; auth_time: number; iat: number }> {
  const header = decodeProtectedHeader(idToken);
  expect(header.alg).toBe('RS256');
  expect(header.kid).toEqual(expect.any(String));
  const jwks = await publishedJwks();
  expect(jwks.keys.map((key) => key.kid)).toContain(header.kid);
  const { payload } = await jwtVerify(idToken, createLocalJWKSet(jwks), {
    issuer: ISSUER,
    audience: client.id,
    algorithms: ['RS256'],
    currentDate: now,
  });
  const seconds = Math.floor(now.getTime() / 1000);
  expect(payload.iat).toBeLessThanOrEqual(seconds + 300);
  expect(payload.exp).toBeGreaterThan(seconds);
  expect(payload.sub).toEqual(expect.any(String));
  expect(payload.sub).not.toBe('');
  expect(payload.auth_time).toEqual(expect.any(Number));
  if (nonce === null) expect(payload).not.toHaveProperty('nonce');
  else expect(payload.nonce).toBe(nonce);
  if (accessToken !== undefined && payload.at_hash !== undefined) expect(payload.at_hash).toBe(leftHalfHash(accessToken));
  if (payload.c_hash !== undefined) expect(payload.c_hash).toBe(leftHalfHash(code ?? ''));
  if (payload.updated_at !== undefined) expect(payload.updated_at).toEqual(expect.any(Number));
  if (payload.acr !== undefined) expect(payload.acr).toEqual(expect.any(String));
  if (!allowName) expect(payload).not.toHaveProperty('name');
  return payload as JWTPayload & { sub: string; auth_time: number; iat: number };
}

export interface UserinfoAnswer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/** The three ways the suite calls userinfo: GET with the header, POST with the header, POST with the token in the body. */
export type UserinfoStyle = 'get' | 'post-header' | 'post-body';

export async function callUserinfo(accessToken: string, style: UserinfoStyle = 'get', now?: Date): Promise<UserinfoAnswer> {
  const url = `${ISSUER}/oauth/userinfo`;
  const request =
    style === 'get'
      ? new Request(url, { headers: { authorization: `Bearer ${accessToken}` } })
      : style === 'post-header'
        ? new Request(url, { method: 'POST', headers: { authorization: `Bearer ${accessToken}` } })
        : new Request(url, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({ access_token: accessToken }).toString(),
          });
  const response = await userinfoEndpoint(request, now);
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/**
 * A userinfo answer as AbstractOIDCCUserInfoTest validates it: 200 JSON with the ID token's sub
 * (EnsureUserInfoContainsSub, VerifyUserInfoAndIdTokenInTokenEndpointSameSub) and standard
 * claims of the right types (ValidateUserInfoStandardClaims, EnsureUserInfoUpdatedAtValid).
 */
export function expectValidUserinfo(answer: UserinfoAnswer, sub: string): Record<string, unknown> {
  expect(answer.status).toBe(200);
  expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
  expect(answer.body.sub).toBe(sub);
  const strings = ['sub', 'name', 'given_name', 'family_name', 'middle_name', 'nickname', 'preferred_username', 'profile', 'picture', 'website', 'email', 'gender', 'birthdate', 'zoneinfo', 'locale', 'phone_number'];
  for (const name of strings) if (name in answer.body) expect(answer.body[name]).toEqual(expect.any(String));
  for (const name of ['email_verified', 'phone_number_verified']) if (name in answer.body) expect(answer.body[name]).toEqual(expect.any(Boolean));
  if ('updated_at' in answer.body) {
    expect(answer.body.updated_at).toEqual(expect.any(Number));
    expect(answer.body.updated_at).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 300);
  }
  return answer.body;
}

/**
 * The whole happy flow of AbstractOIDCCServerTest for a signed-in browser: the request (the
 * consent page approved when shown), the code, the token request and the ID token checks.
 */
export async function completeFlow(
  suite: SuiteClient,
  browser: SignedInUser,
  overrides: Record<string, string | undefined> = {},
  options: { method?: 'client_secret_basic' | 'client_secret_post'; now?: Date; tokenExtra?: Record<string, string> } = {},
) {
  const params = suiteRequest(suite.client, overrides);
  const code = expectSuiteCode(await authorize(params, browser, options.now), params.get('state'));
  const tokens = expectTokenResponse(
    await codeExchange(suite, code, options.tokenExtra, { ...(options.method ? { method: options.method } : {}), ...(options.now ? { now: options.now } : {}) }),
  );
  const idToken = await expectValidIdToken(tokens.id_token, {
    client: suite.client,
    nonce: params.get('nonce'),
    accessToken: tokens.access_token,
    code,
    ...(options.now ? { now: options.now } : {}),
  });
  return { params, code, tokens, idToken };
}
