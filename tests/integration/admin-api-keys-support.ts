/**
 * Shared set-up of the API-key and admin-API tests (admin-api-keys*.test.ts,
 * admin-api-auth.test.ts): administrators, API keys in every state, and the admin API's and the
 * console's route handlers called as Next.js calls them.
 */
import { encode } from 'next-auth/jwt';
import { consoleCookieName } from '../../app/admin/_server/console';
import type { AdminActor } from '../../lib/admin/actor';
import { createApiKey, type ApiKeyScope } from '../../lib/admin/api-keys';
import { consoleCookieSecret } from '../../lib/admin/console-client';
import { createUser } from '../../lib/auth/accounts';
import { createSession } from '../../lib/auth/sessions';
import { markConsoleSeen } from '../../lib/db/console-sessions';
import { GOOD_PASSWORD, testContext, uniqueEmail } from '../support/context';

export const ADMIN_ISSUER = 'https://id.example.test';

export async function newAdmin() {
  const result = await createUser({ email: uniqueEmail('keys-admin'), password: GOOD_PASSWORD, name: 'Key Admin', isAdmin: true }, testContext(), 'cli');
  if (!result.ok) throw new Error('createUser failed');
  return result.user;
}

/** The administrator `userId` acting in the console. */
export function consoleActor(userId: string): AdminActor {
  return { kind: 'user', userId, context: testContext({ ip: '192.0.2.50' }) };
}

/** A key made by an administrator in the console: its text (to send), id and prefix. */
export async function keyWith(scopes: ApiKeyScope[], actor: AdminActor, name = `key ${scopes.join(' ')}`) {
  const created = await createApiKey({ name, scopes }, actor);
  if (!created.ok) throw new Error(`createApiKey refused: ${JSON.stringify(created)}`);
  return { key: created.key, id: created.apiKey.id, prefix: created.apiKey.prefix };
}

export type RouteHandler = (request: Request, context?: { params: Promise<Record<string, string | string[]>> }) => Promise<Response>;

/** An admin API request: `authorization` is sent as given (null: no header). */
export function apiRequest(
  method: string,
  path: string,
  options: { authorization?: string | null; body?: string; headers?: Record<string, string> } = {},
): Request {
  return new Request(`${ADMIN_ISSUER}/api/admin/v1${path}`, {
    method,
    headers: {
      ...(options.authorization ? { authorization: options.authorization } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      'x-optare-client-ip': '192.0.2.99',
      'user-agent': 'admin-api-test',
      ...options.headers,
    },
    body: options.body,
  });
}

/** Calls an admin API route handler with the key and the path's parameters. */
export function callApi(
  handler: RouteHandler,
  method: string,
  path: string,
  options: { key?: string; params?: Record<string, string>; body?: string; headers?: Record<string, string> } = {},
): Promise<Response> {
  const request = apiRequest(method, path, { authorization: options.key ? `Bearer ${options.key}` : null, body: options.body, headers: options.headers });
  return handler(request, { params: Promise.resolve(options.params ?? {}) });
}

/** A console sign-in of `adminId` (a session with a second factor, the console's sealed cookie naming it). */
export async function consoleCookie(adminId: string): Promise<string> {
  const session = await createSession(adminId, ['pwd', 'otp', 'mfa'], testContext({ ip: '192.0.2.50' }));
  await markConsoleSeen(session.sessionId, new Date());
  const sealed = await encode({ token: { sid: session.sessionId, sub: adminId }, secret: consoleCookieSecret() });
  return `${consoleCookieName()}=${sealed}`;
}

/** A console write (POST) from the console's own origin. */
export function callConsole(handler: RouteHandler, path: string, options: { cookie?: string; body?: string; headers?: Record<string, string> } = {}) {
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
  return handler(request, { params: Promise.resolve({}) });
}

export { expectJson, expectRefused } from './admin-users-support';
