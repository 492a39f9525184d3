import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateRecoveryCodes } from '../../lib/auth/recovery-codes';
import { afterFirstFactor, startStepUp, verifySecondFactor } from '../../lib/auth/second-factor';
import { findPendingLoginByToken } from '../../lib/auth/pending-login';
import { createSession } from '../../lib/auth/sessions';
import { confirmTotpEnrollment, startTotpEnrollment } from '../../lib/auth/totp';
import { trustBrowser } from '../../lib/auth/trusted-devices';
import { authenticationOptions } from '../../lib/auth/webauthn';
import { useTestConfig } from '../support/config';
import { testContext } from '../support/context';
import { openTestDatabase, type TestDatabase } from '../support/database';
import { totpAt } from '../support/totp';
import { ISSUER, newAuthenticator, newUser, registerPasskey } from './webauthn-support';

let database: TestDatabase;
beforeAll(async () => {
  useTestConfig({ OPTARE_ISSUER: ISSUER });
  database = await openTestDatabase();
});
afterAll(() => database.close());

const STEP = 30_000;
const options = { trustedDeviceToken: undefined, mfaRequired: false };

/** A user with a confirmed authenticator app; `now` is the moment the enrollment code was used. */
async function userWithTotp(now = new Date()) {
  const user = await newUser();
  const enrollment = await startTotpEnrollment(user, now);
  if (!enrollment.ok) throw new Error('enrollment refused');
  const confirmed = await confirmTotpEnrollment(user.id, totpAt(enrollment.secret, now), testContext(), now);
  if (!confirmed.ok) throw new Error('confirmation refused');
  return { user, secret: enrollment.secret };
}

describe('after the password', () => {
  it('a user without a second factor gets a session at once; under the MFA policy, enrollment next', async () => {
    const user = await newUser();
    expect(await afterFirstFactor(user.id, ['pwd'], options)).toEqual({ next: 'session', amr: ['pwd'], mustEnroll: false });
    expect(await afterFirstFactor(user.id, ['pwd'], { ...options, mfaRequired: true })).toEqual({ next: 'session', amr: ['pwd'], mustEnroll: true });
  });

  it('a user with an authenticator app or a passkey is asked for it, through a pending login', async () => {
    const { user } = await userWithTotp();
    const outcome = await afterFirstFactor(user.id, ['pwd'], options);
    expect(outcome.next).toBe('second_factor');
    const token = (outcome as { pendingLoginToken: string }).pendingLoginToken;
    expect(await findPendingLoginByToken(token)).toMatchObject({ userId: user.id, purpose: 'sign_in', amr: ['pwd'] });

    const withPasskey = await newUser();
    await registerPasskey(withPasskey, newAuthenticator());
    expect((await afterFirstFactor(withPasskey.id, ['pwd'], options)).next).toBe('second_factor');
  });

  it('a browser the user trusts skips the second factor, and the session says one factor', async () => {
    const { user } = await userWithTotp();
    const trusted = await trustBrowser(user.id, testContext());
    expect(await afterFirstFactor(user.id, ['pwd'], { ...options, trustedDeviceToken: trusted })).toEqual({ next: 'session', amr: ['pwd'], mustEnroll: false });
    const stranger = await newUser();
    const foreign = await trustBrowser(stranger.id, testContext());
    expect((await afterFirstFactor(user.id, ['pwd'], { ...options, trustedDeviceToken: foreign })).next).toBe('second_factor');
  });

  it('a passkey that verified the user is already two factors; one that did not is one', async () => {
    const { user } = await userWithTotp();
    expect(await afterFirstFactor(user.id, ['hwk', 'user', 'pin'], options)).toEqual({
      next: 'session',
      amr: ['hwk', 'user', 'pin', 'mfa'],
      mustEnroll: false,
    });
    expect((await afterFirstFactor(user.id, ['hwk', 'user'], options)).next).toBe('second_factor');
  });
});

describe('the second factor', () => {
  it('a code from the authenticator app completes the sign-in with pwd, otp and mfa, once', async () => {
    const now = new Date();
    const { user, secret } = await userWithTotp(new Date(now.getTime() - 2 * STEP));
    const { pendingLoginToken } = (await afterFirstFactor(user.id, ['pwd'], options, now)) as { pendingLoginToken: string };
    const result = await verifySecondFactor(pendingLoginToken, { method: 'totp', code: totpAt(secret, now) }, testContext(), now);
    expect(result).toMatchObject({ ok: true, amr: ['pwd', 'otp', 'mfa'], login: { userId: user.id, purpose: 'sign_in' } });
    expect(await verifySecondFactor(pendingLoginToken, { method: 'totp', code: totpAt(secret, now, 1) }, testContext(), now)).toEqual({
      ok: false,
      error: 'no_pending_login',
    });
  });

  it('wrong codes count down from five, then the pending login is gone', async () => {
    const now = new Date();
    const { user, secret } = await userWithTotp(new Date(now.getTime() - 2 * STEP));
    const { pendingLoginToken } = (await afterFirstFactor(user.id, ['pwd'], options, now)) as { pendingLoginToken: string };
    const wrong = totpAt(secret, now, -3);
    const remaining = [];
    for (let i = 0; i < 5; i++) {
      const result = await verifySecondFactor(pendingLoginToken, { method: 'totp', code: wrong }, testContext(), now);
      remaining.push((result as { remaining: number }).remaining);
    }
    expect(remaining).toEqual([4, 3, 2, 1, 0]);
    // The right code is too late now: the user starts over from the password.
    expect(await verifySecondFactor(pendingLoginToken, { method: 'totp', code: totpAt(secret, now) }, testContext(), now)).toEqual({
      ok: false,
      error: 'no_pending_login',
    });
  });

  it('a recovery code completes the sign-in (otp), and counts as wrong once used', async () => {
    const { user } = await userWithTotp();
    const [code] = await generateRecoveryCodes(user.id, testContext());
    const first = (await afterFirstFactor(user.id, ['pwd'], options)) as { pendingLoginToken: string };
    expect(await verifySecondFactor(first.pendingLoginToken, { method: 'recovery_code', code }, testContext())).toMatchObject({
      ok: true,
      amr: ['pwd', 'otp', 'mfa'],
    });
    const second = (await afterFirstFactor(user.id, ['pwd'], options)) as { pendingLoginToken: string };
    expect(await verifySecondFactor(second.pendingLoginToken, { method: 'recovery_code', code }, testContext())).toEqual({
      ok: false,
      error: 'invalid_code',
      remaining: 4,
    });
  });

  it('the user’s passkey completes the sign-in; another user’s passkey is a wrong answer', async () => {
    const user = await newUser();
    const authenticator = newAuthenticator();
    await registerPasskey(user, authenticator);
    const other = await newUser();
    const otherAuthenticator = newAuthenticator();
    await registerPasskey(other, otherAuthenticator);

    const { pendingLoginToken } = (await afterFirstFactor(user.id, ['pwd'], options)) as { pendingLoginToken: string };
    const stranger = await authenticationOptions('second_factor', other.id);
    const refused = await verifySecondFactor(
      pendingLoginToken,
      { method: 'passkey', ceremonyToken: stranger.ceremonyToken, response: otherAuthenticator.authenticate(stranger.options) },
      testContext(),
    );
    expect(refused).toEqual({ ok: false, error: 'invalid_code', remaining: 4 });

    const mine = await authenticationOptions('second_factor', user.id);
    const result = await verifySecondFactor(
      pendingLoginToken,
      { method: 'passkey', ceremonyToken: mine.ceremonyToken, response: authenticator.authenticate(mine.options) },
      testContext(),
    );
    expect(result).toMatchObject({ ok: true, login: { userId: user.id } });
    expect((result as { amr: string[] }).amr).toEqual(expect.arrayContaining(['pwd', 'hwk', 'mfa']));
  });

  it('garbage never throws and never completes anything', async () => {
    const { user } = await userWithTotp();
    const { pendingLoginToken } = (await afterFirstFactor(user.id, ['pwd'], options)) as { pendingLoginToken: string };
    for (const code of [undefined, null, 42, '', 'x'.repeat(10_000), '\u0000\u0000\u0000\u0000\u0000\u0000', ['123456'], { code: '123456' }]) {
      const result = await verifySecondFactor(pendingLoginToken, { method: 'totp', code }, testContext());
      expect(result.ok).toBe(false);
    }
    for (const token of [undefined, '', 'A'.repeat(43), 'x'.repeat(10_000), 7]) {
      expect(await verifySecondFactor(token, { method: 'totp', code: '123456' }, testContext())).toEqual({ ok: false, error: 'no_pending_login' });
    }
  });
});

describe('step-up of a session', () => {
  it('a pending login for the session, completed with the second factor, adds otp and mfa to what the session had', async () => {
    const now = new Date();
    const { user, secret } = await userWithTotp(new Date(now.getTime() - 2 * STEP));
    const { sessionId } = await createSession(user.id, ['pwd'], testContext());
    const token = await startStepUp({ id: sessionId, userId: user.id, amr: ['pwd'] }, now);
    const result = await verifySecondFactor(token, { method: 'totp', code: totpAt(secret, now) }, testContext(), now);
    expect(result).toMatchObject({ ok: true, amr: ['pwd', 'otp', 'mfa'], login: { purpose: 'step_up', sessionId } });
  });
});
