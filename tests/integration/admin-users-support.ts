/**
 * Shared set-up of the admin user-management tests (admin-users*.test.ts): administrators and
 * users, API keys, the admin API and console route handlers called as Next.js calls them.
 */
import { encode } from 'next-auth/jwt';
import { expect } from 'vitest';
import { consoleCookieName } from '../../app/admin/_server/console';
import type { AdminActor } from '../../lib/admin/actor';
import { generateApiKey, type ApiKeyScope } from '../../lib/admin/api-keys';
import { consoleCookieSecret } from '../../lib/admin/console-client';
import { createUser } from '../../lib/auth/accounts';
import { createSession } from '../../lib/auth/sessions';
import { insertApiKey } from '../../lib/db/api-keys';
import { markConsoleSeen } from '../../lib/db/console-sessions';
import { GOOD_PASSWORD, testContext, uniqueEmail } from '../support/context';

export const ADMIN_ISSUER = 'https://id.example.test';

export async function newAccount(prefix = 'member', options: { isAdmin?: boolean; name?: string } = {}) {
  const result = await createUser(
    { email: uniqueEmail(prefix), password: GOOD_PASSWORD, name: options.name ?? 'Mem Ber', isAdmin: options.isAdmin ?? false },
    testContext(),
    'cli',
  );
  if (!result.ok) throw new Error('createUser failed');
  return result.user;
}

export function newAdmin(prefix = 'admin') {
  return newAccount(prefix, { isAdmin: true, name: 'Ad Min' });
}

/** The administrator `userId` acting in the console. */
export function consoleActor(userId: string): AdminActor {
  return { kind: 'user', userId, context: testContext({ ip: '192.0.2.50' }) };
}

/** A signed-in browser of `userId`. */
export function signedIn(userId: string, amr = ['pwd'], userAgent = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0') {
  return createSession(userId, amr, testContext({ userAgent, ip: '198.51.100.7' }));
}

/** An API key with these scopes: its secret (to send) and its id (the audit actor). */
export async function newApiKey(scopes: ApiKeyScope[], createdByUserId: string | null = null) {
  const generated = generateApiKey();
  const row = await insertApiKey({
    name: `test key ${scopes.join(' ')}`,
    prefix: generated.prefix,
    keyHash: generated.keyHash,
    scopes,
    createdByUserId,
    expiresAt: new Date(Date.now() + 86_400_000),
  });
  return { key: generated.key, id: row.id, prefix: generated.prefix };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each route names its own params ({ userId }, { clientId }, …)
export type Handler = (request: Request, context: { params: Promise<any> }) => Promise<Response>;

/** Calls an admin API route handler with the key, the path's parameters and a raw body. */
export function callApi(
  handler: Handler,
  method: string,
  path: string,
  options: { key?: string; params?: Record<string, string>; body?: string; headers?: Record<string, string> } = {},
): Promise<Response> {
  const request = new Request(`${ADMIN_ISSUER}/api/admin/v1${path}`, {
    method,
    headers: {
      ...(options.key ? { authorization: `Bearer ${options.key}` } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      'x-optare-client-ip': '192.0.2.99',
      'user-agent': 'admin-api-test',
      ...options.headers,
    },
    body: options.body,
  });
  return handler(request, { params: Promise.resolve(options.params ?? {}) });
}

/**
 * A console sign-in of `adminId`: an Optare session with a second factor whose console clock
 * runs, and the console's sealed cookie naming it (as next-auth writes it).
 */
export async function consoleSignIn(adminId: string): Promise<{ cookie: string; sessionId: string; token: string }> {
  const session = await signedIn(adminId, ['pwd', 'otp', 'mfa']);
  await markConsoleSeen(session.sessionId, new Date());
  const sealed = await encode({ token: { sid: session.sessionId, sub: adminId }, secret: consoleCookieSecret() });
  return { cookie: `${consoleCookieName()}=${sealed}`, sessionId: session.sessionId, token: session.token };
}

/** A console route handler whose path parameters are `P` (e.g. `{ userId: string }`). */
export type ConsoleHandler<P extends Record<string, string> = Record<string, string>> = (
  request: Request,
  context: { params: Promise<P> },
) => Promise<Response>;

/** A console route of a user: /api/admin/console/users/[userId]/…. */
export type ConsoleUserHandler = ConsoleHandler<{ userId: string }>;

/** A console route request from the console's own origin, with its cookie. */
export function callConsole<P extends Record<string, string>>(
  handler: ConsoleHandler<P>,
  path: string,
  options: { cookie?: string; params?: P; body?: string; headers?: Record<string, string> } = {},
): Promise<Response> {
  const request = new Request(`${ADMIN_ISSUER}/api/admin/console${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      origin: ADMIN_ISSUER,
      ...(options.cookie ? { cookie: options.cookie } : {}),
      'x-optare-client-ip': '192.0.2.50',
      'user-agent': 'admin-console-test',
      ...options.headers,
    },
    body: options.body ?? '{}',
  });
  return handler(request, { params: Promise.resolve(options.params ?? ({} as P)) });
}

/** A refusal: a 4xx in the JSON API's error shape, nothing reflected unescaped. */
export async function expectRefused(response: Response, status?: number): Promise<Record<string, unknown>> {
  const text = await response.text();
  if (status !== undefined) expect(response.status, text).toBe(status);
  expect(response.status, text).toBeGreaterThanOrEqual(400);
  expect(response.status, text).toBeLessThan(500);
  expect(response.headers.get('cache-control')).toBe('no-store');
  const body = JSON.parse(text) as Record<string, unknown>;
  expect(typeof body.error).toBe('string');
  expect(typeof body.message).toBe('string');
  expect(text).not.toContain('<script>');
  return body;
}

/** A success: its JSON, never cached. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test answers are read field by field
export async function expectJson(response: Response, status = 200): Promise<Record<string, any>> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  expect(response.headers.get('cache-control')).toBe('no-store');
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
  return JSON.parse(text) as Record<string, any>;
}

/** Ids that must never reach the database as a user id (each must be a 4xx, never a 500). */
export const BAD_USER_IDS = [
  'not-a-uuid',
  '123',
  '00000000-0000-0000-0000-00000000000g',
  '00000000-0000-4000-8000-0000000000001',
  "' OR 1=1 --",
  '%00',
  'x'.repeat(5000),
  '../../etc/passwd',
];

/** Bodies every console write route must refuse with a 4xx. */
export const HOSTILE_BODIES: Array<[string, string]> = [
  ['empty', ''],
  ['not JSON', 'reason=x'],
  ['truncated JSON', '{"reason": "lost ph'],
  ['a JSON array', '[]'],
  ['a JSON string', '"x"'],
  ['null', 'null'],
  ['20 kB', JSON.stringify({ reason: 'x'.repeat(20_480) })],
];
