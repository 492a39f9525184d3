import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { confirmAuthenticatorApp, removeAuthenticatorApp, startAuthenticatorApp } from '../../lib/auth/mfa-enrollment';
import { generateRecoveryCodes, redeemRecoveryCode } from '../../lib/auth/recovery-codes';
import { requestPasswordReset, resetPassword } from '../../lib/auth/password-reset';
import { notifySecurityEvent } from '../../lib/notifications/security-events';
import { noticeSignIn } from '../../lib/notifications/sign-in';
import { createUser } from '../../lib/auth/accounts';
import { useTestConfig } from '../support/config';
import { openTestDatabase, type TestDatabase } from '../support/database';
import { GOOD_PASSWORD, testContext, uniqueEmail } from '../support/context';
import { totpAt } from '../support/totp';
import { linkToken, mailTo } from './email-support';

/** Security notifications: one email per event, to the account's address, never a thrown error. */

let database: TestDatabase;
beforeAll(async () => {
  useTestConfig();
  database = await openTestDatabase();
});
afterAll(() => database.close());

const FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0';
const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36';

async function newUser() {
  const result = await createUser({ email: uniqueEmail('notify'), password: GOOD_PASSWORD, name: 'N' }, testContext({ ip: '192.0.2.1', userAgent: CHROME }), 'sign_up');
  if (!result.ok) throw new Error('sign-up failed');
  return result.user;
}

async function subjects(email: string): Promise<string[]> {
  return (await mailTo(email)).map((message) => message.subject);
}

describe('security notifications', () => {
  it('emails when a second factor is added and removed', async () => {
    const user = await newUser();
    const now = new Date();
    const holder = { userId: user.id, authenticatedAt: now, amr: ['pwd', 'otp', 'mfa'], user };
    const started = await startAuthenticatorApp(holder, now);
    if (!started.ok) throw new Error('start failed');
    expect((await confirmAuthenticatorApp(holder, totpAt(started.secret, now), testContext(), now)).ok).toBe(true);
    expect(await subjects(user.email)).toEqual(['A sign-in method was added']);
    expect((await removeAuthenticatorApp(holder, testContext(), now)).ok).toBe(true);
    expect(await subjects(user.email)).toEqual(['A sign-in method was added', 'A sign-in method was removed']);
    expect((await mailTo(user.email))[1]!.text).toContain('authenticator app');
  });

  it('emails when a recovery code is used, not when a wrong one is tried', async () => {
    const user = await newUser();
    const [code] = await generateRecoveryCodes(user.id, testContext());
    expect(await redeemRecoveryCode(user.id, 'zzzz-zzzz-zzzz-zzzz-zzzz-zzzz', testContext())).toBe(false);
    expect(await subjects(user.email)).toEqual([]);
    expect(await redeemRecoveryCode(user.id, code, testContext())).toBe(true);
    expect(await subjects(user.email)).toEqual(['A recovery code was used']);
  });

  it('emails when the password is reset', async () => {
    const user = await newUser();
    await requestPasswordReset({ email: user.email }, testContext());
    const token = linkToken((await mailTo(user.email))[0]);
    expect((await resetPassword({ token, password: 'an entirely new passphrase' }, testContext({ ip: '192.0.2.77' }))).ok).toBe(true);
    const messages = await mailTo(user.email);
    expect(messages.map((message) => message.subject)).toEqual(['Reset your password', 'Your password was changed']);
    expect(messages[1]!.text).toContain('IP address: 192.0.2.77');
    expect(messages[1]!.text).not.toMatch(/token/i);
  });

  it('emails about a sign-in from a new browser or address, not from one seen before', async () => {
    const user = await newUser();
    const later = new Date(Date.now() + 3600 * 1000);
    await noticeSignIn(user.id, ['pwd'], testContext({ ip: '192.0.2.1', userAgent: CHROME }), later);
    expect(await subjects(user.email)).toEqual([]);
    await noticeSignIn(user.id, ['pwd'], testContext({ ip: '192.0.2.1', userAgent: FIREFOX }), later);
    await noticeSignIn(user.id, ['pwd', 'otp', 'mfa'], testContext({ ip: '198.51.100.200', userAgent: CHROME }), later);
    const messages = await mailTo(user.email);
    expect(messages.map((message) => message.subject)).toEqual(['New sign-in to your account', 'New sign-in to your account']);
    // Written in the background, possibly within one millisecond: in no particular order.
    expect(messages.filter((message) => message.text.includes('Firefox on Windows'))).toHaveLength(1);
    expect(messages.filter((message) => message.text.includes('IP address: 198.51.100.200'))).toHaveLength(1);
  });

  it('sends nothing for a sign-in right after sign-up (no history yet)', async () => {
    const user = await newUser();
    await noticeSignIn(user.id, ['pwd'], testContext({ ip: '203.0.113.200', userAgent: FIREFOX }));
    expect(await subjects(user.email)).toEqual([]);
  });

  it('never throws into the caller: unknown users, and a mail server that cannot be reached', async () => {
    await expect(notifySecurityEvent('00000000-0000-4000-8000-000000000000', 'password_changed', testContext())).resolves.toBeUndefined();
    await expect(notifySecurityEvent('not-a-uuid', 'password_changed', testContext())).resolves.toBeUndefined();
    const user = await newUser();
    useTestConfig({ SMTP_URL: 'smtp://127.0.0.1:1' });
    await expect(notifySecurityEvent(user.id, 'mfa_added', testContext())).resolves.toBeUndefined();
    useTestConfig();
  });
});
