import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as changePasswordRoute } from '../../app/api/account/password/route';
import { authenticate } from '../../lib/auth/accounts';
import { changePassword } from '../../lib/auth/password-change';
import { validateSessionToken } from '../../lib/auth/sessions';
import { isTrustedBrowser, trustBrowser } from '../../lib/auth/trusted-devices';
import { useTestConfig } from '../support/config';
import { GOOD_PASSWORD, testContext } from '../support/context';
import { accountPost, accountUser, ACCOUNT_ISSUER, expectRefused, HOSTILE_BODIES, signedIn } from './account-support';
import { ensureSigningKey, forgetCachedSigningKeys } from '../../lib/oauth/keys/signing-keys';
import { openTestDatabase, type TestDatabase } from '../support/database';
import { introspect, newClient, refresh, signIn } from './token-endpoint.helpers';

/**
 * Changing the password (lib/auth/password-change.ts and POST /api/account/password): the
 * current password is required, the new one meets the sign-up policy, and a change ends every
 * other session, every app's tokens and every remembered browser, keeping this session.
 */

let database: TestDatabase;
// One encryption key for every configuration of this file: the signing key is sealed with it.
const SETTINGS = { OPTARE_ISSUER: ACCOUNT_ISSUER, OPTARE_TRUSTED_DEVICE_DAYS: '30', OPTARE_ENCRYPTION_KEY: randomBytes(32).toString('base64') };
beforeAll(async () => {
  useTestConfig(SETTINGS);
  database = await openTestDatabase();
  forgetCachedSigningKeys();
  await ensureSigningKey();
});
afterAll(() => database.close());

const NEW_PASSWORD = 'violet canyon marmalade 42';

async function scene() {
  const user = await accountUser('pw');
  const current = await signedIn(user.id);
  const other = await signedIn(user.id);
  const third = await signedIn(user.id);
  const client = await newClient();
  const tokens = await signIn(client, user);
  const trusted = await trustBrowser(user.id, testContext());
  return { user, current, other, third, client, tokens, trusted };
}

async function passwordWorks(email: string, password: string) {
  return (await authenticate({ email, password }, testContext({ ip: '192.0.2.200' }))).ok;
}

describe('changePassword', () => {
  it('changes the password, ends every other session, revokes the refresh and access tokens, forgets remembered browsers, keeps this session, and audits it', async () => {
    const s = await scene();
    const result = await changePassword({ id: s.current.sessionId, userId: s.user.id }, { currentPassword: GOOD_PASSWORD, newPassword: NEW_PASSWORD }, testContext());
    expect(result).toEqual({ ok: true, sessionsEnded: 2, grantsRevoked: 1, trustedDevicesForgotten: 1 });

    expect(await validateSessionToken(s.current.token, testContext())).not.toBeNull();
    expect(await validateSessionToken(s.other.token, testContext())).toBeNull();
    expect(await validateSessionToken(s.third.token, testContext())).toBeNull();

    const refreshed = await refresh(s.client, s.tokens.refresh_token!);
    expect(refreshed.status).toBe(400);
    expect(refreshed.body.error).toBe('invalid_grant');
    expect((await introspect(s.client, s.tokens.access_token)).body).toEqual({ active: false });
    expect(await isTrustedBrowser(s.user.id, s.trusted)).toBe(false);

    expect(await passwordWorks(s.user.email, GOOD_PASSWORD)).toBe(false);
    expect(await passwordWorks(s.user.email, NEW_PASSWORD)).toBe(true);

    const events = await database.sql<{ outcome: string; details: Record<string, unknown> }>(
      "SELECT outcome, details FROM audit_events WHERE type = 'user.password_changed' AND actor_user_id = $1",
      [s.user.id],
    );
    expect(events).toEqual([{ outcome: 'success', details: { sessionsEnded: 2, grantsRevoked: 1, trustedDevicesForgotten: 1 } }]);
    const stored = await database.sql<{ password_hash: string }>('SELECT password_hash FROM users WHERE id = $1', [s.user.id]);
    expect(stored[0]!.password_hash).toMatch(/^\$argon2id\$/);
    expect(JSON.stringify(await database.sql('SELECT * FROM audit_events WHERE actor_user_id = $1', [s.user.id]))).not.toContain(NEW_PASSWORD);
  });

  it('refuses a wrong current password with wrong_password, changes nothing, and audits the failure', async () => {
    const s = await scene();
    const result = await changePassword({ id: s.current.sessionId, userId: s.user.id }, { currentPassword: 'not the password at all', newPassword: NEW_PASSWORD }, testContext());
    expect(result).toEqual({ ok: false, error: 'wrong_password' });
    expect(await validateSessionToken(s.other.token, testContext())).not.toBeNull();
    expect((await refresh(s.client, s.tokens.refresh_token!)).status).toBe(200);
    expect(await isTrustedBrowser(s.user.id, s.trusted)).toBe(true);
    expect(await passwordWorks(s.user.email, GOOD_PASSWORD)).toBe(true);
    const events = await database.sql("SELECT details FROM audit_events WHERE type = 'user.password_changed' AND actor_user_id = $1 AND outcome = 'failure'", [s.user.id]);
    expect(events).toEqual([{ details: { reason: 'wrong_password' } }]);
  });

  it.each([
    ['too short', { currentPassword: GOOD_PASSWORD, newPassword: 'short one' }, 'newPassword'],
    ['too long', { currentPassword: GOOD_PASSWORD, newPassword: 'x'.repeat(129) }, 'newPassword'],
    ['a common password', { currentPassword: GOOD_PASSWORD, newPassword: 'password1234' }, 'newPassword'],
    ['the same as the current one', { currentPassword: GOOD_PASSWORD, newPassword: GOOD_PASSWORD }, 'newPassword'],
    ['invisible characters', { currentPassword: GOOD_PASSWORD, newPassword: 'long enough\u200bpassword' }, 'newPassword'],
    ['no current password', { currentPassword: '', newPassword: NEW_PASSWORD }, 'currentPassword'],
    ['missing fields', {}, 'currentPassword'],
    ['wrong types', { currentPassword: 42, newPassword: ['a'] }, 'currentPassword'],
  ])('refuses %s with field errors and changes nothing', async (_label, input, field) => {
    const s = await scene();
    const result = await changePassword({ id: s.current.sessionId, userId: s.user.id }, input, testContext());
    expect(result.ok).toBe(false);
    expect('fieldErrors' in result && result.fieldErrors[field]?.length).toBeTruthy();
    expect(await validateSessionToken(s.other.token, testContext())).not.toBeNull();
    expect(await passwordWorks(s.user.email, GOOD_PASSWORD)).toBe(true);
  });

  it('refuses the email address as the new password', async () => {
    const s = await scene();
    const result = await changePassword({ id: s.current.sessionId, userId: s.user.id }, { currentPassword: GOOD_PASSWORD, newPassword: s.user.email }, testContext());
    expect(result).toEqual({ ok: false, fieldErrors: { newPassword: ['The password must not be your email address.'] } });
  });

  it('counts wrong current passwords against the sign-in limits: past the limit even the right one is not checked', async () => {
    useTestConfig({ ...SETTINGS, OPTARE_RATE_LIMIT_SIGN_IN_ACCOUNT_IP: '2/15m' });
    try {
      const s = await scene();
      const context = testContext({ ip: '192.0.2.77' });
      const holder = { id: s.current.sessionId, userId: s.user.id };
      for (let i = 0; i < 2; i++) {
        expect(await changePassword(holder, { currentPassword: `wrong guess number ${i}`, newPassword: NEW_PASSWORD }, context)).toEqual({ ok: false, error: 'wrong_password' });
      }
      const limited = await changePassword(holder, { currentPassword: GOOD_PASSWORD, newPassword: NEW_PASSWORD }, context);
      expect(limited.ok).toBe(false);
      expect('error' in limited && limited.error).toBe('rate_limited');
      expect(await validateSessionToken(s.other.token, testContext())).not.toBeNull();
    } finally {
      useTestConfig(SETTINGS);
    }
  });
});

describe('POST /api/account/password', () => {
  it('changes the password of the cookie’s session and says how many other sessions ended', async () => {
    const s = await scene();
    const response = await changePasswordRoute(accountPost('/api/account/password', JSON.stringify({ currentPassword: GOOD_PASSWORD, newPassword: NEW_PASSWORD }), s.current.token));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ sessionsEnded: 2, appsSignedOut: 1 });
    expect(await validateSessionToken(s.current.token, testContext())).not.toBeNull();
    expect(await validateSessionToken(s.other.token, testContext())).toBeNull();
  });

  it('answers a wrong current password with 400 wrong_password next to the field', async () => {
    const s = await scene();
    const body = await expectRefused(
      await changePasswordRoute(accountPost('/api/account/password', JSON.stringify({ currentPassword: 'not my password ever', newPassword: NEW_PASSWORD }), s.current.token)),
      400,
    );
    expect(body.error).toBe('wrong_password');
    expect(body.fieldErrors).toHaveProperty('currentPassword');
  });

  it('answers 401 without a session and 403 from another site, changing nothing', async () => {
    const s = await scene();
    const valid = JSON.stringify({ currentPassword: GOOD_PASSWORD, newPassword: NEW_PASSWORD });
    expect((await expectRefused(await changePasswordRoute(accountPost('/api/account/password', valid)), 401)).error).toBe('not_signed_in');
    expect((await expectRefused(await changePasswordRoute(accountPost('/api/account/password', valid, 'not-a-session-token')), 401)).error).toBe('not_signed_in');
    await expectRefused(await changePasswordRoute(accountPost('/api/account/password', valid, s.current.token, { origin: 'https://evil.example' })), 403);
    expect(await passwordWorks(s.user.email, GOOD_PASSWORD)).toBe(true);
    expect(await validateSessionToken(s.other.token, testContext())).not.toBeNull();
  });

  it.each(HOSTILE_BODIES)('refuses %s with a 4xx and changes nothing', async (_label, body) => {
    const s = await scene();
    await expectRefused(await changePasswordRoute(accountPost('/api/account/password', body, s.current.token)));
    expect(await validateSessionToken(s.other.token, testContext())).not.toBeNull();
    expect(await passwordWorks(s.user.email, GOOD_PASSWORD)).toBe(true);
  });
});
