import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as emailRoute } from '../../app/api/account/email/route';
import { POST as passwordRoute } from '../../app/api/account/password/route';
import { POST as revokeRoute } from '../../app/api/account/sessions/revoke/route';
import { POST as revokeOthersRoute } from '../../app/api/account/sessions/revoke-others/route';
import { GET as stepUpRoute } from '../../app/sign-in/step-up/route';
import { NextRequest } from 'next/server';
import { pendingLoginCookie } from '../../lib/auth/pending-login';
import { sessionCookie } from '../../lib/auth/sessions';
import { confirmTotpEnrollment, startTotpEnrollment } from '../../lib/auth/totp';
import { useTestConfig } from '../support/config';
import { GOOD_PASSWORD, testContext } from '../support/context';
import { openTestDatabase, type TestDatabase } from '../support/database';
import { totpAt } from '../support/totp';
import { accountPost, accountUser, ACCOUNT_ISSUER, expectRefused, signedIn } from './account-support';

/**
 * A stolen or unattended session must not change the account's email address or password, or
 * sign the owner's other sessions out (ASVS 7.5.1, 7.5.2): each needs an authentication within
 * the last 10 minutes, with the second factor when the user has one (a remembered browser signs
 * in with the password alone). Otherwise 403 reauthentication_required and nothing changes.
 */

let database: TestDatabase;
beforeAll(async () => {
  useTestConfig({ OPTARE_ISSUER: ACCOUNT_ISSUER });
  database = await openTestDatabase();
});
afterAll(() => database.close());

const MINUTE = 60_000;
const NEW_PASSWORD = 'a brand new passphrase 2026';

async function age(sessionId: string, minutes: number) {
  await database.sql('UPDATE sessions SET authenticated_at = $2 WHERE id = $1', [sessionId, new Date(Date.now() - minutes * MINUTE)]);
}

async function withAuthenticatorApp(user: { id: string; email: string }) {
  const enrollment = await startTotpEnrollment(user);
  if (!enrollment.ok) throw new Error('enrollment refused');
  const confirmed = await confirmTotpEnrollment(user.id, totpAt(enrollment.secret, new Date()), testContext());
  expect(confirmed.ok).toBe(true);
}

const liveSessions = async (userId: string) => Number((await database.sql<{ n: string }>('SELECT count(*) AS n FROM sessions WHERE user_id = $1', [userId]))[0]!.n);
const passwordHash = async (userId: string) => (await database.sql<{ password_hash: string }>('SELECT password_hash FROM users WHERE id = $1', [userId]))[0]!.password_hash;
const emailLinks = async (userId: string) =>
  Number((await database.sql<{ n: string }>("SELECT count(*) AS n FROM email_tokens WHERE user_id = $1 AND purpose = 'change_email'", [userId]))[0]!.n);

/** Each change, with what proves it happened. */
const CHANGES = [
  {
    name: 'password change',
    returnTo: '/account/password',
    call: (token: string) => passwordRoute(accountPost('/api/account/password', JSON.stringify({ currentPassword: GOOD_PASSWORD, newPassword: NEW_PASSWORD }), token)),
    state: async (userId: string) => passwordHash(userId),
  },
  {
    name: 'email change',
    returnTo: '/account',
    call: (token: string) => emailRoute(accountPost('/api/account/email', JSON.stringify({ email: `new.${Date.now()}@example.com`, password: GOOD_PASSWORD }), token)),
    state: async (userId: string) => emailLinks(userId),
  },
  {
    name: 'signing out the other sessions',
    returnTo: '/account/sessions',
    call: (token: string) => revokeOthersRoute(accountPost('/api/account/sessions/revoke-others', '{}', token)),
    state: async (userId: string) => liveSessions(userId),
  },
] as const;

describe.each(CHANGES)('$name with a stale or partial authentication', ({ call, state, returnTo }) => {
  it('is refused 403 reauthentication_required when the sign-in is older than 10 minutes, and nothing changes', async () => {
    const user = await accountUser('reauth');
    const other = await signedIn(user.id);
    const current = await signedIn(user.id);
    await age(current.sessionId, 11);
    const before = await state(user.id);
    const body = await expectRefused(await call(current.token), 403);
    expect(body).toMatchObject({ error: 'reauthentication_required', redirectTo: `/sign-in/step-up?next=${returnTo}` });
    expect(await state(user.id)).toEqual(before);
    expect(await liveSessions(user.id)).toBe(2);
    expect(other.sessionId).toBeTruthy();
  });

  it('is refused for a recent password-only sign-in (a remembered browser) of a user who has a second factor', async () => {
    const user = await accountUser('reauth');
    await withAuthenticatorApp(user);
    await signedIn(user.id, undefined, ['pwd', 'otp', 'mfa']);
    const current = await signedIn(user.id, undefined, ['pwd']);
    const before = await state(user.id);
    const body = await expectRefused(await call(current.token), 403);
    expect(body).toMatchObject({ error: 'reauthentication_required' });
    expect(await state(user.id)).toEqual(before);
  });

  it('is accepted after a fresh sign-in: 9 minutes ago with the password alone, or with both factors for a user who has two', async () => {
    const single = await accountUser('reauth');
    await signedIn(single.id);
    const recent = await signedIn(single.id);
    await age(recent.sessionId, 9);
    const before = await state(single.id);
    expect((await call(recent.token)).status).toBe(200);
    expect(await state(single.id)).not.toEqual(before);

    const double = await accountUser('reauth');
    await withAuthenticatorApp(double);
    await signedIn(double.id);
    const both = await signedIn(double.id, undefined, ['pwd', 'otp', 'mfa']);
    const beforeDouble = await state(double.id);
    expect((await call(both.token)).status).toBe(200);
    expect(await state(double.id)).not.toEqual(beforeDouble);
  });
});

describe('signing out one other session', () => {
  it('needs a fresh authentication too: a stale session cannot end another, a fresh one can', async () => {
    const user = await accountUser('reauth');
    const other = await signedIn(user.id);
    const current = await signedIn(user.id);
    await age(current.sessionId, 30);
    const revoke = () => revokeRoute(accountPost('/api/account/sessions/revoke', JSON.stringify({ id: other.sessionId }), current.token));
    expect(await expectRefused(await revoke(), 403)).toMatchObject({ error: 'reauthentication_required', redirectTo: '/sign-in/step-up?next=/account/sessions' });
    expect(await liveSessions(user.id)).toBe(2);
    await age(current.sessionId, 1);
    expect((await revoke()).status).toBe(200);
    expect(await liveSessions(user.id)).toBe(1);
  });
});

describe('“Confirm it’s you” (GET /sign-in/step-up?next=…)', () => {
  const stepUp = (token: string | undefined, next = '/account/sessions') =>
    stepUpRoute(
      new NextRequest(`${ACCOUNT_ISSUER}/sign-in/step-up?next=${encodeURIComponent(next)}`, {
        headers: token ? { cookie: `${sessionCookie().name}=${token}` } : {},
      }),
    );
  const target = (response: Response) => {
    const url = new URL(response.headers.get('location')!);
    return `${url.pathname}${url.search}`;
  };

  it('sends a stale session to a full sign-in, a recent one without the second factor to that factor, a fresh one back', async () => {
    const user = await accountUser('reauth');
    await withAuthenticatorApp(user);
    const stale = await signedIn(user.id, undefined, ['pwd', 'otp', 'mfa']);
    await age(stale.sessionId, 11);
    expect(target(await stepUp(stale.token))).toBe('/sign-in?reauth=1&next=/account/sessions');

    const remembered = await signedIn(user.id, undefined, ['pwd']);
    const response = await stepUp(remembered.token);
    expect(target(response)).toBe('/sign-in/second-factor?next=%2Faccount%2Fsessions');
    expect(response.headers.get('set-cookie')).toContain(`${pendingLoginCookie().name}=`);

    const fresh = await signedIn(user.id, undefined, ['pwd', 'otp', 'mfa']);
    expect(target(await stepUp(fresh.token))).toBe('/account/sessions');
  });

  it('never leaves the account area, and sends a browser without a session to sign in', async () => {
    const user = await accountUser('reauth');
    const fresh = await signedIn(user.id);
    for (const next of ['https://evil.example/', '//evil.example', '/admin', '/account/../admin']) {
      expect(target(await stepUp(fresh.token, next))).toBe('/account/security');
    }
    expect(target(await stepUp(undefined))).toBe('/sign-in?next=/account/sessions');
  });
});
