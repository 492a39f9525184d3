import { NextRequest } from 'next/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as signInRoute } from '../../app/api/auth/sign-in/route';
import { POST as secondFactorRoute } from '../../app/api/auth/second-factor/route';
import { GET as stepUpRoute } from '../../app/sign-in/step-up/route';
import { pendingLoginCookie } from '../../lib/auth/pending-login';
import { sessionCookie, validateSessionToken } from '../../lib/auth/sessions';
import { confirmTotpEnrollment, startTotpEnrollment } from '../../lib/auth/totp';
import { GOOD_PASSWORD, testContext } from '../support/context';
import type { TestDatabase } from '../support/database';
import { totpAt } from '../support/totp';
import {
  ISSUER,
  authorizeGet,
  authorizeParams,
  continueRequest,
  expectCode,
  expectHandle,
  newClient,
  newUser,
  openAuthorizeTestDatabase,
  signIn,
} from './authorize-support';
import type { OAuthClientRecord } from '../../lib/oauth/clients/types';

/**
 * Session fixation (ASVS 7.2.4): every authentication the browser completes through the real
 * route handlers hands out a token it never held before, and the token it held (or that an
 * attacker planted) no longer stands for any session afterwards.
 */

let database: TestDatabase;
let client: OAuthClientRecord;
beforeAll(async () => {
  database = await openAuthorizeTestDatabase();
  client = await newClient({ name: 'Fixation App', firstParty: true });
});
afterAll(() => database.close());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function cookieHeader(cookies: Record<string, string | undefined>): string {
  return Object.entries(cookies)
    .filter(([, value]) => value)
    .map(([name, value]) => `${name}=${value}`)
    .join('; ');
}

function post(path: string, body: Record<string, unknown>, cookies: Record<string, string | undefined> = {}): NextRequest {
  const cookie = cookieHeader(cookies);
  return new NextRequest(`${ISSUER}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: ISSUER, ...(cookie ? { cookie } : {}) },
    body: JSON.stringify(body),
  });
}

/** The value a response sets for a cookie, or undefined when it does not set it (or clears it). */
function setCookieValue(response: Response, name: string): string | undefined {
  for (const line of response.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const index = pair!.indexOf('=');
    if (pair!.slice(0, index).trim() === name) return pair!.slice(index + 1) || undefined;
  }
  return undefined;
}

const SESSION = () => sessionCookie().name;
const PENDING = () => pendingLoginCookie().name;

async function expectDead(token: string): Promise<void> {
  expect(await validateSessionToken(token, testContext())).toBeNull();
}

async function expectLive(token: string, userId: string) {
  const session = await validateSessionToken(token, testContext());
  expect(session?.userId).toBe(userId);
  return session!;
}

async function passwordSignIn(email: string, cookies: Record<string, string | undefined>, extra: Record<string, unknown> = {}) {
  const response = await signInRoute(post('/api/auth/sign-in', { email, password: GOOD_PASSWORD, ...extra }, cookies));
  expect(response.status, await response.clone().text()).toBe(200);
  return response;
}

async function userWithTotp() {
  const user = await newUser();
  const earlier = new Date(Date.now() - 60_000);
  const enrollment = await startTotpEnrollment(user, earlier);
  if (!enrollment.ok) throw new Error('enrollment refused');
  const confirmed = await confirmTotpEnrollment(user.id, totpAt(enrollment.secret, earlier), testContext(), earlier);
  expect(confirmed.ok).toBe(true);
  return { ...user, secret: enrollment.secret };
}

describe('password sign-in', () => {
  it('issues a new session token and ends the session the browser held before', async () => {
    const user = await newUser();
    const before = await signIn(user);
    const response = await passwordSignIn(user.email, { [SESSION()]: before.token });
    const token = setCookieValue(response, SESSION());
    expect(token).toBeTruthy();
    expect(token).not.toBe(before.token);
    const session = await expectLive(token!, user.id);
    expect(session.id).not.toBe(before.sessionId);
    await expectDead(before.token);
  });

  it('never adopts a token planted by an attacker: neither an unknown value nor the attacker’s own session', async () => {
    const victim = await newUser();
    const attacker = await signIn(await newUser());
    const planted = 'A'.repeat(43);
    for (const fixated of [planted, attacker.token]) {
      const token = setCookieValue(await passwordSignIn(victim.email, { [SESSION()]: fixated }), SESSION());
      expect(token).toBeTruthy();
      expect(token).not.toBe(fixated);
      await expectLive(token!, victim.id);
      await expectDead(fixated);
    }
  });
});

describe('after the second factor', () => {
  it('the password alone sets no session; the verified code issues a new token and the earlier session is refused', async () => {
    const user = await userWithTotp();
    const before = await signIn(user);
    const first = await passwordSignIn(user.email, { [SESSION()]: before.token });
    expect(setCookieValue(first, SESSION())).toBeUndefined();
    const pending = setCookieValue(first, PENDING());
    expect(pending).toBeTruthy();

    const second = await secondFactorRoute(
      post('/api/auth/second-factor', { method: 'totp', code: totpAt(user.secret, new Date()) }, { [SESSION()]: before.token, [PENDING()]: pending }),
    );
    expect(second.status, await second.clone().text()).toBe(200);
    const token = setCookieValue(second, SESSION());
    expect(token).toBeTruthy();
    expect(token).not.toBe(before.token);
    expect(token).not.toBe(pending);
    const session = await expectLive(token!, user.id);
    expect(session.amr).toEqual(expect.arrayContaining(['pwd', 'otp']));
    await expectDead(before.token);
  });
});

describe('step-up', () => {
  it('keeps the session id but rotates its token; the token from before the step-up is refused', async () => {
    const user = await userWithTotp();
    const before = await signIn(user, ['pwd']);
    const start = await stepUpRoute(new NextRequest(`${ISSUER}/sign-in/step-up?next=/account/security`, { headers: { cookie: `${SESSION()}=${before.token}` } }));
    expect(start.status).toBe(303);
    expect(new URL(start.headers.get('location')!).pathname).toBe('/sign-in/second-factor');
    const pending = setCookieValue(start, PENDING());
    expect(pending).toBeTruthy();

    const done = await secondFactorRoute(
      post('/api/auth/second-factor', { method: 'totp', code: totpAt(user.secret, new Date()), next: '/account/security' }, { [SESSION()]: before.token, [PENDING()]: pending }),
    );
    expect(done.status, await done.clone().text()).toBe(200);
    const token = setCookieValue(done, SESSION());
    expect(token).toBeTruthy();
    expect(token).not.toBe(before.token);
    const session = await expectLive(token!, user.id);
    expect(session.id).toBe(before.sessionId);
    expect(session.amr).toEqual(expect.arrayContaining(['pwd', 'otp']));
    await expectDead(before.token);
  });
});

describe('re-authentication asked by the authorization request', () => {
  async function reauthenticate(overrides: Record<string, string>, age?: string) {
    const user = await newUser();
    const before = await signIn(user);
    if (age) await database.sql(`UPDATE sessions SET created_at = now() - interval '${age}', authenticated_at = now() - interval '${age}' WHERE id = $1`, [before.sessionId]);
    const handle = expectHandle(await authorizeGet(authorizeParams(client, overrides), before.cookie), '/sign-in');
    await sleep(5);
    const response = await passwordSignIn(user.email, { [SESSION()]: before.token }, { request: handle });
    const token = setCookieValue(response, SESSION());
    expect(token).toBeTruthy();
    expect(token).not.toBe(before.token);
    await expectLive(token!, user.id);
    await expectDead(before.token);
    // The old token cannot finish the request; the new one does.
    expect(expectHandle(await continueRequest(handle, before.cookie), '/sign-in')).toBe(handle);
    expectCode(await continueRequest(handle, `${SESSION()}=${token}`));
  }

  it('prompt=login: the sign-in issues a new token and the old one is refused', async () => {
    await reauthenticate({ prompt: 'login' });
  });

  it('max_age exceeded: the sign-in issues a new token and the old one is refused', async () => {
    await reauthenticate({ max_age: '3600' }, '2 hours');
  });

  it('max_age=0: the sign-in issues a new token and the old one is refused', async () => {
    await reauthenticate({ max_age: '0' });
  });
});
