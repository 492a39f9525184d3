/**
 * Shared set-up of the account-area tests (account-*.test.ts): users with several sessions, and
 * the account route handlers called as Next.js calls them, with the session cookie.
 */
import { NextRequest } from 'next/server';
import { expect } from 'vitest';
import { createUser } from '../../lib/auth/accounts';
import { createSession, sessionCookie } from '../../lib/auth/sessions';
import { GOOD_PASSWORD, testContext, uniqueEmail } from '../support/context';

export const ACCOUNT_ISSUER = 'https://id.example.test';

export async function accountUser(prefix = 'account') {
  const email = uniqueEmail(prefix);
  const result = await createUser({ email, password: GOOD_PASSWORD, name: 'Acco Unt' }, testContext(), 'sign_up');
  if (!result.ok) throw new Error('sign-up failed');
  return result.user;
}

export const FIREFOX_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0';
export const SAFARI_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

/** A signed-in browser of `userId`: its cookie token and session id. */
export async function signedIn(userId: string, userAgent = FIREFOX_WINDOWS, amr = ['pwd'], ip = '198.51.100.20') {
  return createSession(userId, amr, testContext({ userAgent, ip }));
}

/** A POST to an account endpoint from the same site, with the session cookie when given. */
export function accountPost(path: string, body: string | undefined, token?: string, headers: Record<string, string> = {}): NextRequest {
  return new NextRequest(`${ACCOUNT_ISSUER}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      origin: ACCOUNT_ISSUER,
      ...(token ? { cookie: `${sessionCookie().name}=${token}` } : {}),
      ...headers,
    },
    body,
  });
}

/** A refusal: a 4xx in the JSON API's error shape, nothing reflected unescaped. */
export async function expectRefused(response: Response, status?: number): Promise<Record<string, unknown>> {
  const text = await response.text();
  if (status !== undefined) expect(response.status, text).toBe(status);
  expect(response.status, text).toBeGreaterThanOrEqual(400);
  expect(response.status, text).toBeLessThan(500);
  const body = JSON.parse(text) as Record<string, unknown>;
  expect(typeof body.error).toBe('string');
  expect(text).not.toContain('<script>');
  return body;
}

/** Bodies every account endpoint must refuse with a 4xx. */
export const HOSTILE_BODIES: Array<[string, string | undefined]> = [
  ['no body', undefined],
  ['empty', ''],
  ['not JSON', 'id=1&name=x'],
  ['a JSON array', '[]'],
  ['a JSON string', '"x"'],
  ['null', 'null'],
  ['10 kB', JSON.stringify({ id: 'x'.repeat(10_240), clientId: 'x'.repeat(10_240), name: 'x'.repeat(10_240), currentPassword: 'x'.repeat(10_240), newPassword: 'x'.repeat(10_240) })],
  ['wrong types', JSON.stringify({ id: 42, clientId: ['a'], name: { first: 'a' }, currentPassword: true, newPassword: 12345678901234 })],
  ['a script', JSON.stringify({ id: '<script>alert(1)</script>', clientId: '<script>alert(1)</script>', name: '<script>', currentPassword: '<script>', newPassword: '<script>' })],
  ['a prototype-polluting key', '{"__proto__":{"admin":true}}'],
];
