import type { ProtocolResponse } from '../../lib/http/protocol-message';
import type { AnyResponse } from './hostile-input.payloads';
import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import { createUser } from '../../lib/auth/accounts';
import { createSession, sessionCookie } from '../../lib/auth/sessions';
import { randomToken } from '../../lib/crypto/random';
import { ensureSigningKey, forgetCachedSigningKeys } from '../../lib/oauth/keys/signing-keys';
import { createClient } from '../../lib/oauth/clients/registration';
import type { OAuthClientRecord } from '../../lib/oauth/clients/types';
import { authorizationEndpoint, continueAuthorization } from '../../lib/oauth/endpoints/authorize';
import { issueIdToken } from '../../lib/oauth/tokens/id-token';
import { openTestDatabase, type TestDatabase } from '../support/database';
import { useTestConfig as installTestConfig } from '../support/config';
import { GOOD_PASSWORD, testContext, uniqueEmail } from '../support/context';

/** Shared by the authorization, consent, logout and open-redirect tests. */
export const ISSUER = 'https://id.example.test';
export const REDIRECT_URI = 'https://app.example.test/callback';

export async function openAuthorizeTestDatabase(): Promise<TestDatabase> {
  installTestConfig({ OPTARE_ISSUER: ISSUER });
  const database = await openTestDatabase();
  forgetCachedSigningKeys();
  await ensureSigningKey();
  return database;
}

export async function newClient(overrides: Record<string, unknown> = {}): Promise<OAuthClientRecord> {
  const result = await createClient(
    {
      name: 'Example App',
      redirectUris: [REDIRECT_URI],
      postLogoutRedirectUris: ['https://app.example.test/signed-out'],
      ...overrides,
    },
    testContext(),
  );
  if (!result.ok) throw new Error(`createClient failed: ${JSON.stringify(result.fieldErrors)}`);
  return result.client;
}

export interface SignedInUser {
  userId: string;
  email: string;
  token: string;
  sessionId: string;
  /** The Cookie header of a browser holding this session. */
  cookie: string;
}

export async function newUser(): Promise<{ id: string; email: string }> {
  const result = await createUser({ email: uniqueEmail('authz'), password: GOOD_PASSWORD, name: 'Ada' }, testContext(), 'sign_up');
  if (!result.ok) throw new Error('createUser failed');
  return result.user;
}

/** A new session for the user (a fresh sign-in), as the sign-in endpoint creates it. */
export async function signIn(user: { id: string; email: string }, amr = ['pwd']): Promise<SignedInUser> {
  const { token, sessionId } = await createSession(user.id, amr, testContext());
  return { userId: user.id, email: user.email, token, sessionId, cookie: `${sessionCookie().name}=${token}` };
}

export async function signedInUser(): Promise<SignedInUser> {
  return signIn(await newUser());
}

/** An RFC 7636 S256 pair. */
export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomToken(32);
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** A complete, valid authorization request for the client; override or drop (undefined) parameters. */
export function authorizeParams(client: OAuthClientRecord, overrides: Record<string, string | undefined> = {}): URLSearchParams {
  const values: Record<string, string | undefined> = {
    response_type: 'code',
    client_id: client.id,
    redirect_uri: REDIRECT_URI,
    scope: 'openid profile',
    state: 'st-123',
    nonce: 'n-456',
    code_challenge: pkce().challenge,
    code_challenge_method: 'S256',
    ...overrides,
  };
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) if (value !== undefined) params.set(name, value);
  return params;
}

export function authorizeGet(params: URLSearchParams | string, cookie?: string, now?: Date): Promise<ProtocolResponse> {
  return authorizationEndpoint(
    new Request(`${ISSUER}/oauth/authorize?${params.toString()}`, { headers: cookie ? { cookie } : {} }),
    now,
  );
}

export function authorizePost(body: URLSearchParams | string, cookie?: string, contentType = 'application/x-www-form-urlencoded'): Promise<ProtocolResponse> {
  return authorizationEndpoint(
    new Request(`${ISSUER}/oauth/authorize`, {
      method: 'POST',
      headers: { 'content-type': contentType, origin: 'https://app.example.test', ...(cookie ? { cookie } : {}) },
      body: body.toString(),
    }),
  );
}

export function continueRequest(handle: string, cookie?: string, now?: Date): Promise<ProtocolResponse> {
  return continueAuthorization(
    new Request(`${ISSUER}/oauth/authorize/continue?request=${encodeURIComponent(handle)}`, { headers: cookie ? { cookie } : {} }),
    now,
  );
}

/** The Location of a 303, parsed. */
export function location(response: AnyResponse): URL {
  expect(response.status).toBe(303);
  expect(response.headers.get('cache-control')).toContain('no-store');
  const value = response.headers.get('location');
  expect(value).toBeTruthy();
  return new URL(value!);
}

/** Asserts the response sends the browser to Optare's error page with this code, and nowhere else. */
export function expectErrorPage(response: AnyResponse, code: string): void {
  const url = location(response);
  expect(`${url.origin}${url.pathname}`).toBe(`${ISSUER}/oauth/error`);
  expect([...url.searchParams]).toEqual([['error', code]]);
}

/** Asserts an error answered at the client's redirect URI, with state (when sent) and iss. */
export function expectClientError(response: AnyResponse, error: string, state: string | null = 'st-123'): URL {
  const url = location(response);
  expect(`${url.origin}${url.pathname}`).toBe(REDIRECT_URI);
  expect(url.searchParams.get('error')).toBe(error);
  expect(url.searchParams.get('error_description')).toBeTruthy();
  expect(url.searchParams.get('code')).toBeNull();
  expect(url.searchParams.get('state')).toBe(state);
  expect(url.searchParams.get('iss')).toBe(ISSUER);
  return url;
}

/** Asserts a code answered at the client's redirect URI, with state and iss; returns the code. */
export function expectCode(response: AnyResponse, state: string | null = 'st-123'): string {
  const url = location(response);
  expect(`${url.origin}${url.pathname}`).toBe(REDIRECT_URI);
  expect(url.searchParams.get('error')).toBeNull();
  expect(url.searchParams.get('state')).toBe(state);
  expect(url.searchParams.get('iss')).toBe(ISSUER);
  const code = url.searchParams.get('code');
  expect(code).toMatch(/^[A-Za-z0-9_-]{43,}$/);
  return code!;
}

/** Asserts the browser is sent to an Optare page with a pending request's handle; returns the handle. */
export function expectHandle(response: AnyResponse, path: '/sign-in' | '/consent' | '/oauth/authorize/continue'): string {
  const url = location(response);
  expect(`${url.origin}${url.pathname}`).toBe(`${ISSUER}${path}`);
  const handle = url.searchParams.get('request');
  expect(handle).toMatch(/^[A-Za-z0-9_-]{43}$/);
  return handle!;
}

export function idTokenHint(client: OAuthClientRecord, user: { userId: string; sessionId?: string | null }, now = new Date()) {
  return issueIdToken({ clientId: client.id, userId: user.userId, sessionId: user.sessionId ?? null, authTime: now }, now);
}
