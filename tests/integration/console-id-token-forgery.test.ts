import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { createHash, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { SignJWT, type JWTPayload } from 'jose';
import type { AuthOptions } from 'next-auth';
import { decode } from 'next-auth/jwt';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { consoleAuthOptions } from '../../app/admin/_server/auth-options';
import { consoleCookieName } from '../../app/admin/_server/console';
import { CONSOLE_CLIENT_ID, consoleCookieSecret } from '../../lib/admin/console-client';
import { createUser } from '../../lib/auth/accounts';
import { createSession } from '../../lib/auth/sessions';
import { ENDPOINT_PATHS } from '../../lib/oauth/metadata';
import { openTestDatabase, type TestDatabase } from '../support/database';
import { useTestConfig } from '../support/config';
import { GOOD_PASSWORD, testContext, uniqueEmail } from '../support/context';

// The handler app/admin/auth/[...nextauth]/route.ts hands every request to (through NextAuth(),
// which reads cookies and headers from Next.js's request scope): next-auth's framework-free core,
// which package.json's exports keep from a bare `next-auth/core` import.
const { AuthHandler } = createRequire(import.meta.url)(path.resolve('node_modules/next-auth/core/index.js')) as { AuthHandler: CoreAuthHandler };

/** The part of next-auth/core's AuthHandler (core/index.d.ts) this test uses. */
type CoreAuthHandler = <Body = unknown>(params: {
  req: { action: string; method: string; providerId?: string; body?: Record<string, unknown>; query?: Record<string, string>; cookies: Record<string, string>; headers: Record<string, string> };
  options: AuthOptions;
}) => Promise<{ status?: number; body?: Body; redirect?: string; cookies?: { name: string; value: string; options?: { maxAge?: number } }[] }>;

// The console's signIn callback reads the request headers for its audit record; outside a Next.js
// request scope it gets these instead. Nothing else is replaced: next-auth and openid-client run
// as in production, against a real HTTP authorization server whose answers each test forges.
vi.mock('next/headers', () => ({ headers: async () => new Headers({ 'user-agent': 'console-id-token-forgery test' }) }));

/**
 * A stand-in for Optare's OpenID endpoints (discovery, JWKS, token) on a real socket, so that the
 * console's OpenID Connect client can be handed ID tokens that Optare would never issue.
 */
class ForgingAuthorizationServer {
  readonly signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
  private server = http.createServer((request, response) => void this.answer(request, response));
  issuer = '';
  /** The claims (and key) of the ID token the next code exchange returns. */
  nextIdToken: { claims: JWTPayload; key: KeyObject } | null = null;
  /** code_challenge of each authorization code handed out, to check the verifier as Optare does. */
  readonly challenges = new Map<string, string>();
  tokenRequests = 0;
  /** Requests for the discovery document, which the console must never need. */
  discoveryRequests = 0;

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.issuer = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async answer(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const json = (status: number, body: unknown): void => void response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (request.url === '/.well-known/openid-configuration') {
      // A forged document: another issuer and other endpoints, which the console must not follow.
      this.discoveryRequests += 1;
      return json(200, {
        issuer: 'https://impostor.example',
        authorization_endpoint: 'https://impostor.example/authorize',
        token_endpoint: 'https://impostor.example/token',
        jwks_uri: 'https://impostor.example/jwks',
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
      });
    }
    if (request.url === ENDPOINT_PATHS.jwks) {
      return json(200, { keys: [{ ...this.signingKey.publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'RS256', use: 'sig' }] });
    }
    if (request.url === ENDPOINT_PATHS.token && request.method === 'POST') {
      this.tokenRequests += 1;
      let body = '';
      for await (const chunk of request) body += chunk;
      const form = new URLSearchParams(body);
      const challenge = this.challenges.get(form.get('code') ?? '');
      const verifier = form.get('code_verifier') ?? '';
      if (!challenge || createHash('sha256').update(verifier).digest('base64url') !== challenge || !this.nextIdToken) {
        return json(400, { error: 'invalid_grant' });
      }
      const { claims, key } = this.nextIdToken;
      const idToken = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).sign(key);
      return json(200, { access_token: randomBytes(32).toString('base64url'), token_type: 'Bearer', expires_in: 300, id_token: idToken });
    }
    json(404, { error: 'not_found' });
  }
}

type Jar = Record<string, string>;

/** Why next-auth refused the last callback: the console's logger keeps only the code, the test wants the cause. */
let refusalReasons: string[] = [];

function consoleOptions() {
  const options = consoleAuthOptions();
  const log = options.logger!.error!;
  options.logger!.error = (code, metadata) => {
    const cause = (metadata as { error?: unknown }).error ?? metadata;
    refusalReasons.push(`${code}: ${cause instanceof Error ? cause.message : String(cause)}`);
    log(code, metadata);
  };
  return options;
}

/** One browser's console sign-in, up to the moment Optare would redirect back with a code. */
interface StartedSignIn {
  jar: Jar;
  state: string;
  nonce: string;
  code: string;
}

const authServer = new ForgingAuthorizationServer();
let database: TestDatabase;

beforeAll(async () => {
  await authServer.start();
  useTestConfig({ OPTARE_ISSUER: authServer.issuer });
  database = await openTestDatabase();
});
afterAll(async () => {
  await authServer.stop();
  await database.close();
});
beforeEach(() => {
  authServer.nextIdToken = null;
  authServer.tokenRequests = 0;
  refusalReasons = [];
});

function keep(jar: Jar, cookies: { name: string; value: string; options?: { maxAge?: number } }[] | undefined): Jar {
  const next = { ...jar };
  for (const cookie of cookies ?? []) {
    if (cookie.value === '' || cookie.options?.maxAge === 0) delete next[cookie.name];
    else next[cookie.name] = cookie.value;
  }
  return next;
}

function requestFields(jar: Jar) {
  return { cookies: jar, headers: { host: new URL(authServer.issuer).host } };
}

/** The console's "Sign in with Optare" button: csrf token, then POST signin, as the browser does. */
async function startSignIn(): Promise<StartedSignIn> {
  const csrf = await AuthHandler<{ csrfToken: string }>({ req: { action: 'csrf', method: 'GET', ...requestFields({}) }, options: consoleOptions() });
  let jar = keep({}, csrf.cookies);
  const signIn = await AuthHandler({
    req: { action: 'signin', method: 'POST', providerId: 'optare', body: { csrfToken: csrf.body!.csrfToken }, ...requestFields(jar) },
    options: consoleOptions(),
  });
  jar = keep(jar, signIn.cookies);
  const authorization = new URL(signIn.redirect!);
  expect(`${authorization.origin}${authorization.pathname}`).toBe(`${authServer.issuer}${ENDPOINT_PATHS.authorization}`);
  const code = randomBytes(16).toString('base64url');
  authServer.challenges.set(code, authorization.searchParams.get('code_challenge')!);
  return { jar, code, state: authorization.searchParams.get('state')!, nonce: authorization.searchParams.get('nonce')! };
}

/** Optare's redirect back to the console's callback, as the browser follows it. */
async function callback(jar: Jar, query: Record<string, string>) {
  const result = await AuthHandler({ req: { action: 'callback', method: 'GET', providerId: 'optare', query, ...requestFields(jar) }, options: consoleOptions() });
  return { redirect: result.redirect ?? '', sessionCookie: keep(jar, result.cookies)[consoleCookieName()] };
}

async function administratorSession() {
  const created = await createUser({ email: uniqueEmail('forgery'), password: GOOD_PASSWORD, name: 'F', isAdmin: true }, testContext(), 'cli');
  if (!created.ok) throw new Error('user creation failed');
  const { sessionId } = await createSession(created.user.id, ['pwd', 'otp', 'mfa'], testContext());
  return { userId: created.user.id, sessionId };
}

function idTokenClaims(started: StartedSignIn, admin: { userId: string; sessionId: string }): JWTPayload {
  const now = Math.floor(Date.now() / 1000);
  return { iss: authServer.issuer, aud: CONSOLE_CLIENT_ID, sub: admin.userId, sid: admin.sessionId, nonce: started.nonce, iat: now, exp: now + 300 };
}

const REFUSED = /\/admin\/auth\/error\?error=OAuthCallback$/;

describe('admin console ID token validation', () => {
  it('signs in with an ID token Optare would issue, and keeps its sub and sid', async () => {
    const admin = await administratorSession();
    const started = await startSignIn();
    authServer.nextIdToken = { claims: idTokenClaims(started, admin), key: authServer.signingKey.privateKey };
    const { redirect, sessionCookie } = await callback(started.jar, { code: started.code, state: started.state });
    expect(redirect).not.toMatch(/error/);
    expect(refusalReasons).toEqual([]);
    const token = await decode({ token: sessionCookie, secret: consoleCookieSecret() });
    expect(token).toMatchObject({ sub: admin.userId, sid: admin.sessionId });
  });

  it.each([
    ['a wrong nonce (a replayed ID token)', (claims: JWTPayload) => ({ ...claims, nonce: randomBytes(16).toString('base64url') }), /nonce mismatch/],
    ['no nonce', ({ nonce: _nonce, ...claims }: JWTPayload) => claims, /nonce mismatch, expected \S+, got: undefined/],
    ['another audience', (claims: JWTPayload) => ({ ...claims, aud: 'some-other-client' }), /aud mismatch|aud is missing the client_id/],
    ['another issuer', (claims: JWTPayload) => ({ ...claims, iss: 'https://impostor.example' }), /unexpected iss value/],
    ['an expired ID token', (claims: JWTPayload) => ({ ...claims, iat: claims.iat! - 3600, exp: claims.iat! - 1800 }), /JWT expired/],
  ])('refuses an ID token with %s and sets no session cookie', async (_case, tamper, reason) => {
    const admin = await administratorSession();
    const started = await startSignIn();
    authServer.nextIdToken = { claims: tamper(idTokenClaims(started, admin)), key: authServer.signingKey.privateKey };
    const { redirect, sessionCookie } = await callback(started.jar, { code: started.code, state: started.state });
    expect(authServer.tokenRequests).toBe(1);
    expect(redirect).toMatch(REFUSED);
    expect(sessionCookie).toBeUndefined();
    expect(refusalReasons).toEqual([expect.stringMatching(reason)]);
  });

  it('refuses an ID token signed by a key that is not in the issuer JWKS', async () => {
    const admin = await administratorSession();
    const started = await startSignIn();
    const impostorKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    authServer.nextIdToken = { claims: idTokenClaims(started, admin), key: impostorKey };
    const { redirect, sessionCookie } = await callback(started.jar, { code: started.code, state: started.state });
    expect(authServer.tokenRequests).toBe(1);
    expect(redirect).toMatch(REFUSED);
    expect(sessionCookie).toBeUndefined();
    expect(refusalReasons).toEqual([expect.stringMatching(/failed to validate JWT signature/)]);
  });
});

describe('admin console issuer metadata', () => {
  it('never reads a discovery document: one naming another issuer cannot steer it, and that issuer\'s ID tokens are refused', async () => {
    authServer.discoveryRequests = 0;
    const admin = await administratorSession();
    const started = await startSignIn();
    authServer.nextIdToken = { claims: { ...idTokenClaims(started, admin), iss: 'https://impostor.example' }, key: authServer.signingKey.privateKey };
    const { redirect, sessionCookie } = await callback(started.jar, { code: started.code, state: started.state });
    expect(authServer.discoveryRequests).toBe(0);
    expect(redirect).toMatch(REFUSED);
    expect(sessionCookie).toBeUndefined();
    expect(refusalReasons).toEqual([expect.stringMatching(/unexpected iss value/)]);
  });
});

describe('admin console callback bound to the browser that started it', () => {
  it('refuses a callback whose state is not the one it sent, before exchanging the code', async () => {
    const admin = await administratorSession();
    const started = await startSignIn();
    authServer.nextIdToken = { claims: idTokenClaims(started, admin), key: authServer.signingKey.privateKey };
    const { redirect, sessionCookie } = await callback(started.jar, { code: started.code, state: randomBytes(32).toString('base64url') });
    expect(redirect).toMatch(REFUSED);
    expect(sessionCookie).toBeUndefined();
    expect(authServer.tokenRequests).toBe(0);
    expect(refusalReasons).toEqual([expect.stringMatching(/state mismatch/)]);
  });

  it("refuses a victim's code and state delivered to another browser (login CSRF / injected code)", async () => {
    const admin = await administratorSession();
    const victim = await startSignIn();
    const attacker = await startSignIn();
    authServer.nextIdToken = { claims: idTokenClaims(victim, admin), key: authServer.signingKey.privateKey };
    const { redirect, sessionCookie } = await callback(attacker.jar, { code: victim.code, state: victim.state });
    expect(redirect).toMatch(REFUSED);
    expect(sessionCookie).toBeUndefined();
    expect(authServer.tokenRequests).toBe(0);
    expect(refusalReasons).toEqual([expect.stringMatching(/state mismatch/)]);
  });

  it.each([
    ['state', 'next-auth.state', /State cookie was missing/],
    ['PKCE code verifier', 'next-auth.pkce.code_verifier', /PKCE code_verifier cookie was missing/],
    ['nonce', 'next-auth.nonce', /Nonce cookie was missing/],
  ])('refuses a callback when the %s cookie of the sign-in is missing', async (_check, cookieName, reason) => {
    const admin = await administratorSession();
    const started = await startSignIn();
    expect(Object.keys(started.jar)).toContain(cookieName);
    authServer.nextIdToken = { claims: idTokenClaims(started, admin), key: authServer.signingKey.privateKey };
    const { [cookieName]: _dropped, ...jar } = started.jar;
    const { redirect, sessionCookie } = await callback(jar, { code: started.code, state: started.state });
    expect(redirect).toMatch(REFUSED);
    expect(sessionCookie).toBeUndefined();
    expect(refusalReasons).toEqual([expect.stringMatching(reason)]);
  });
});
