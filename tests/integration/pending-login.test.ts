import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../lib/auth/accounts';
import {
  completePendingLogin,
  findPendingLoginByToken,
  MAX_WRONG_CODES,
  PENDING_LOGIN_TTL_SECONDS,
  recordWrongCode,
  startPendingLogin,
} from '../../lib/auth/pending-login';
import { createSession, stepUpSession, validateSessionToken } from '../../lib/auth/sessions';
import {
  forgetTrustedDevices,
  isTrustedBrowser,
  removeTrustedDevice,
  trustBrowser,
  trustedDevicesOf,
} from '../../lib/auth/trusted-devices';
import { sha256 } from '../../lib/crypto/hash';
import { useTestConfig } from '../support/config';
import { GOOD_PASSWORD, testContext, uniqueEmail } from '../support/context';
import { openTestDatabase, type TestDatabase } from '../support/database';

let database: TestDatabase;
beforeAll(async () => {
  useTestConfig({ OPTARE_TRUSTED_DEVICE_DAYS: '30' });
  database = await openTestDatabase();
});
afterAll(() => database.close());

async function newUser() {
  const result = await createUser({ email: uniqueEmail('pending'), password: GOOD_PASSWORD, name: 'P' }, testContext(), 'sign_up');
  if (!result.ok) throw new Error('sign-up failed');
  return result.user;
}

const SECOND = 1000;

describe('pending logins (the step between the password and the second factor)', () => {
  it('stores only the hash of a 256-bit browser token, for five minutes', async () => {
    const user = await newUser();
    const now = new Date();
    const token = await startPendingLogin({ userId: user.id, purpose: 'sign_in', sessionId: null, amr: ['pwd'] }, now);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    const [row] = await database.sql('SELECT * FROM pending_logins WHERE user_id = $1', [user.id]);
    expect(Buffer.from(row!.id_hash)).toEqual(Buffer.from(sha256(token)));
    expect(JSON.stringify(row)).not.toContain(token);
    expect(row!.expires_at.getTime() - now.getTime()).toBe(PENDING_LOGIN_TTL_SECONDS * SECOND);
    expect(await findPendingLoginByToken(token, new Date(now.getTime() + 299 * SECOND))).toMatchObject({ userId: user.id, amr: ['pwd'] });
    expect(await findPendingLoginByToken(token, new Date(now.getTime() + 301 * SECOND))).toBeNull();
  });

  it('is found only by its exact token; malformed tokens are not looked up', async () => {
    for (const token of [undefined, null, '', 'x', 'A'.repeat(43), 'A'.repeat(10_000), 42, {}]) {
      expect(await findPendingLoginByToken(token)).toBeNull();
    }
  });

  it('is consumed once, even by two completions at the same time', async () => {
    const user = await newUser();
    const token = await startPendingLogin({ userId: user.id, purpose: 'sign_in', sessionId: null, amr: ['pwd'] });
    const results = await Promise.all([completePendingLogin(token), completePendingLogin(token)]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await findPendingLoginByToken(token)).toBeNull();
  });

  it('allows four wrong codes, discards itself at the fifth, and audits that once', async () => {
    const user = await newUser();
    const token = await startPendingLogin({ userId: user.id, purpose: 'sign_in', sessionId: null, amr: ['pwd'] });
    const login = (await findPendingLoginByToken(token))!;
    const remaining: number[] = [];
    for (let i = 0; i < MAX_WRONG_CODES; i++) remaining.push(await recordWrongCode(login, token, testContext()));
    expect(remaining).toEqual([4, 3, 2, 1, 0]);
    expect(await findPendingLoginByToken(token)).toBeNull();
    expect(await recordWrongCode(login, token, testContext())).toBe(0);
    const events = await database.sql("SELECT * FROM audit_events WHERE type = 'auth.pending_login_locked' AND actor_user_id = $1", [user.id]);
    expect(events).toHaveLength(1);
    expect(events[0]!.details).toMatchObject({ purpose: 'sign_in', attempts: 5 });
  });

  it('counts wrong codes atomically: ten at once leave none of the five tries unspent', async () => {
    const user = await newUser();
    const token = await startPendingLogin({ userId: user.id, purpose: 'sign_in', sessionId: null, amr: ['pwd'] });
    const login = (await findPendingLoginByToken(token))!;
    const remaining = await Promise.all(Array.from({ length: 10 }, () => recordWrongCode(login, token, testContext())));
    expect(remaining.filter((left) => left > 0).sort()).toEqual([1, 2, 3, 4]);
    expect(await findPendingLoginByToken(token)).toBeNull();
  });
});

describe('step-up of a session', () => {
  it('keeps the session id, gives it a new token, the combined methods and a new authentication time', async () => {
    const user = await newUser();
    const { token, sessionId } = await createSession(user.id, ['pwd'], testContext());
    const later = new Date(Date.now() + 60 * SECOND);
    const newToken = await stepUpSession(sessionId, ['pwd', 'otp', 'mfa'], later);
    expect(newToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await validateSessionToken(token, testContext())).toBeNull();
    const session = await validateSessionToken(newToken!, testContext(), later);
    expect(session).toMatchObject({ id: sessionId, amr: ['pwd', 'otp', 'mfa'] });
    expect(session!.authenticatedAt.getTime()).toBe(later.getTime());
  });

  it('does nothing for a session that has ended', async () => {
    const user = await newUser();
    const { sessionId } = await createSession(user.id, ['pwd'], testContext());
    await database.sql('DELETE FROM sessions WHERE id = $1', [sessionId]);
    expect(await stepUpSession(sessionId, ['pwd', 'otp', 'mfa'])).toBeNull();
  });
});

describe('trusted browsers', () => {
  it('trusts a browser for one user, for the configured days, by a hashed cookie token', async () => {
    const user = await newUser();
    const other = await newUser();
    const now = new Date();
    const token = (await trustBrowser(user.id, testContext({ userAgent: 'Firefox/1' }), now))!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const [row] = await database.sql('SELECT * FROM trusted_devices WHERE user_id = $1', [user.id]);
    expect(Buffer.from(row!.token_hash)).toEqual(Buffer.from(sha256(token)));
    expect(row!.expires_at.getTime() - now.getTime()).toBe(30 * 86_400 * SECOND);
    expect(row).toMatchObject({ user_agent: 'Firefox/1' });
    expect(await isTrustedBrowser(user.id, token)).toBe(true);
    expect(await isTrustedBrowser(other.id, token)).toBe(false);
    expect(await isTrustedBrowser(user.id, 'A'.repeat(43))).toBe(false);
    expect(await isTrustedBrowser(user.id, token, new Date(now.getTime() + 31 * 86_400 * SECOND))).toBe(false);
  });

  it('is listed, and removed by its user only', async () => {
    const user = await newUser();
    const other = await newUser();
    const token = (await trustBrowser(user.id, testContext()))!;
    const [device] = await trustedDevicesOf(user.id);
    expect(device).toBeDefined();
    expect(await removeTrustedDevice(other.id, device!.id, testContext())).toBe(false);
    expect(await removeTrustedDevice(user.id, device!.id, testContext())).toBe(true);
    expect(await isTrustedBrowser(user.id, token)).toBe(false);
  });

  it('ends for every browser of the user when their factors change', async () => {
    const user = await newUser();
    const tokens = [(await trustBrowser(user.id, testContext()))!, (await trustBrowser(user.id, testContext()))!];
    expect(await forgetTrustedDevices(user.id, testContext(), 'mfa_changed')).toBe(2);
    for (const token of tokens) expect(await isTrustedBrowser(user.id, token)).toBe(false);
    const [event] = await database.sql("SELECT * FROM audit_events WHERE type = 'mfa.trusted_device_removed' AND subject = $1", [user.id]);
    expect(event!.details).toMatchObject({ count: 2, reason: 'mfa_changed' });
  });

  it('is off when OPTARE_TRUSTED_DEVICE_DAYS is 0', async () => {
    const user = await newUser();
    const token = (await trustBrowser(user.id, testContext()))!;
    useTestConfig({ OPTARE_TRUSTED_DEVICE_DAYS: '0' });
    try {
      expect(await trustBrowser(user.id, testContext())).toBeNull();
      expect(await isTrustedBrowser(user.id, token)).toBe(false);
    } finally {
      useTestConfig({ OPTARE_TRUSTED_DEVICE_DAYS: '30' });
    }
  });
});
