/**
 * Shared set-up of the token, refresh, code-reuse, revocation, introspection and userinfo tests:
 * real clients (createClient), real users (createUser), codes from issueAuthorizationCode, and
 * the endpoint functions called with real Request objects (the route handlers are one-liners).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { ProtocolResponse } from '../../lib/http/protocol-message';
import { createUser } from '../../lib/auth/accounts';
import { createClient } from '../../lib/oauth/clients/registration';
import type { OAuthClientRecord } from '../../lib/oauth/clients/types';
import type { ClientSettingsInput } from '../../lib/oauth/clients/settings-schema';
import { introspectionEndpoint } from '../../lib/oauth/endpoints/introspection';
import { revocationEndpoint } from '../../lib/oauth/endpoints/revocation';
import { tokenEndpoint } from '../../lib/oauth/endpoints/token';
import { userinfoEndpoint } from '../../lib/oauth/endpoints/userinfo';
import { issueAuthorizationCode, type AuthorizationCodeInput } from '../../lib/oauth/grants/authorization-code';
import { ensureSigningKey, forgetCachedSigningKeys } from '../../lib/oauth/keys/signing-keys';
// Renamed: it is not a React hook, whatever its name says.
import { useTestConfig as installTestConfig } from '../support/config';
import { GOOD_PASSWORD, testContext, uniqueEmail } from '../support/context';
import { openTestDatabase, type TestDatabase } from '../support/database';

export const ISSUER = 'https://id.example.test';
export const REDIRECT_URI = 'https://app.example.test/callback';
export const APP_ORIGIN = 'https://app.example.test';

/** Config, a fresh database and a signing key: call in beforeAll, close the database in afterAll. */
export async function openOAuthTestDatabase(): Promise<TestDatabase> {
  installTestConfig({ OPTARE_ISSUER: ISSUER });
  const database = await openTestDatabase();
  forgetCachedSigningKeys();
  await ensureSigningKey();
  return database;
}

export async function newUser(name = 'Ada Lovelace') {
  const result = await createUser({ email: uniqueEmail('oauth'), password: GOOD_PASSWORD, name }, testContext(), 'sign_up');
  if (!result.ok) throw new Error('sign-up failed');
  return result.user;
}

export interface TestClient {
  client: OAuthClientRecord;
  secret: string | null;
}

/** A confidential client_secret_basic client with the authorization_code and refresh_token grants, unless overridden. */
export async function newClient(settings: Partial<ClientSettingsInput> = {}): Promise<TestClient> {
  const result = await createClient(
    {
      name: 'Test app',
      redirectUris: [REDIRECT_URI],
      corsOrigins: [APP_ORIGIN],
      grantTypes: ['authorization_code', 'refresh_token'],
      scopes: ['openid', 'profile', 'email', 'offline_access'],
      ...settings,
    },
    testContext(),
  );
  if (!result.ok) throw new Error(`createClient failed: ${JSON.stringify(result.fieldErrors)}`);
  return { client: result.client, secret: result.secret };
}

/** RFC 7636 §4.1, §4.2: a 256-bit verifier and its S256 challenge. */
export function pkcePair() {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  return { verifier, challenge };
}

export interface IssuedCode {
  code: string;
  verifier: string;
}

/** What the front channel does after consent: a code for `user` and `client`, with PKCE. */
export async function authorize(
  { client }: TestClient,
  user: { id: string },
  overrides: Partial<AuthorizationCodeInput> = {},
  now = new Date(),
): Promise<IssuedCode> {
  const { verifier, challenge } = pkcePair();
  const code = await issueAuthorizationCode(
    {
      clientId: client.id,
      userId: user.id,
      sessionId: null,
      scopes: ['openid', 'profile', 'email', 'offline_access'],
      authTime: new Date(now.getTime() - 5_000),
      amr: ['pwd'],
      acr: null,
      nonce: 'n-0S6_WzA2Mj',
      claims: null,
      redirectUri: REDIRECT_URI,
      codeChallenge: challenge,
      codeChallengeMethod: 'S256',
      ...overrides,
    },
    now,
  );
  return { code, verifier };
}

export function basicAuth({ client, secret }: TestClient): Record<string, string> {
  const encode = (value: string) => encodeURIComponent(value);
  return { authorization: `Basic ${Buffer.from(`${encode(client.id)}:${encode(secret ?? '')}`).toString('base64')}` };
}

/** How a client authenticates: Basic for confidential clients, client_id for public ones. */
export function credentials(testClient: TestClient): { headers: Record<string, string>; params: Record<string, string> } {
  return testClient.secret === null
    ? { headers: {}, params: { client_id: testClient.client.id } }
    : { headers: basicAuth(testClient), params: {} };
}

export function formRequest(path: string, params: Record<string, string> | string, headers: Record<string, string> = {}): Request {
  return new Request(`http://localhost${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: typeof params === 'string' ? params : new URLSearchParams(params),
  });
}

export interface Answer<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

export async function answer<T = Record<string, unknown>>(response: Response | ProtocolResponse): Promise<Answer<T>> {
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : null) as T };
}

export interface TokenBody {
  access_token: string;
  token_type: string;
  expires_in: number;
  scope?: string;
  refresh_token?: string;
  id_token?: string;
  error?: string;
  error_description?: string;
}

/** POST /oauth/token as `testClient`, with `params` added to its credentials. */
export async function token(
  testClient: TestClient,
  params: Record<string, string>,
  now?: Date,
  extraHeaders: Record<string, string> = {},
): Promise<Answer<TokenBody>> {
  const auth = credentials(testClient);
  return answer<TokenBody>(await tokenEndpoint(formRequest('/oauth/token', { ...auth.params, ...params }, { ...auth.headers, ...extraHeaders }), now));
}

export function exchange(testClient: TestClient, issued: IssuedCode, now?: Date, extra: Record<string, string> = {}) {
  return token(
    testClient,
    { grant_type: 'authorization_code', code: issued.code, redirect_uri: REDIRECT_URI, code_verifier: issued.verifier, ...extra },
    now,
  );
}

export function refresh(testClient: TestClient, refreshToken: string, now?: Date, extra: Record<string, string> = {}) {
  return token(testClient, { grant_type: 'refresh_token', refresh_token: refreshToken, ...extra }, now);
}

export async function introspect(testClient: TestClient, tokenValue: string, now?: Date, extra: Record<string, string> = {}) {
  const auth = credentials(testClient);
  return answer(await introspectionEndpoint(formRequest('/oauth/introspect', { ...auth.params, token: tokenValue, ...extra }, auth.headers), now));
}

export async function revoke(testClient: TestClient, tokenValue: string, extra: Record<string, string> = {}, now?: Date) {
  const auth = credentials(testClient);
  return answer(await revocationEndpoint(formRequest('/oauth/revoke', { ...auth.params, token: tokenValue, ...extra }, auth.headers), now));
}

export async function userinfo(accessToken: string, now?: Date, headers: Record<string, string> = {}) {
  const request = new Request('http://localhost/oauth/userinfo', { headers: { authorization: `Bearer ${accessToken}`, ...headers } });
  return answer(await userinfoEndpoint(request, now));
}

/** A full authorization-code flow: the token response of a fresh code. */
export async function signIn(testClient: TestClient, user: { id: string }, overrides: Partial<AuthorizationCodeInput> = {}, now = new Date()) {
  const issued = await authorize(testClient, user, overrides, now);
  const response = await exchange(testClient, issued, now);
  if (response.status !== 200) throw new Error(`code exchange failed: ${JSON.stringify(response.body)}`);
  return response.body;
}
