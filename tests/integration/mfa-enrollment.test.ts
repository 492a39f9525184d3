import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PublicUser } from '../../lib/auth/accounts';
import {
  addPasskey,
  confirmAuthenticatorApp,
  deleteUserPasskey,
  forgetRememberedBrowser,
  FRESH_AUTHENTICATION_SECONDS,
  isFreshlyAuthenticated,
  passkeyRegistrationOptions,
  regenerateRecoveryCodes,
  removeAuthenticatorApp,
  renameUserPasskey,
  securityOverview,
  startAuthenticatorApp,
  type AccountHolder,
} from '../../lib/auth/mfa-enrollment';
import { redeemRecoveryCode, remainingRecoveryCodes } from '../../lib/auth/recovery-codes';
import { secondFactorsOf } from '../../lib/auth/second-factors';
import { hasConfirmedTotp } from '../../lib/auth/totp';
import { isTrustedBrowser, trustBrowser } from '../../lib/auth/trusted-devices';
import { countPasskeys, listPasskeys } from '../../lib/auth/webauthn';
import { installConfig, type Config } from '../../lib/config';
import { createUser } from '../../lib/auth/accounts';
import { openTestDatabase, type TestDatabase } from '../support/database';
import { useTestConfig } from '../support/config';
import { GOOD_PASSWORD, testContext, uniqueEmail } from '../support/context';
import { totpAt } from '../support/totp';
import type { SoftwareAuthenticator } from '../support/software-authenticator';
import { ISSUER, newAuthenticator } from './webauthn-support';

/**
 * The policy around enrolling and removing second factors (lib/auth/mfa-enrollment.ts): fresh
 * authentication for sensitive changes, recovery codes with the first factor, remembered
 * browsers forgotten at every factor change, and the last factor kept while MFA is required.
 */

let database: TestDatabase;
let config: Config;
beforeAll(async () => {
  config = useTestConfig({ OPTARE_ISSUER: ISSUER, OPTARE_TRUSTED_DEVICE_DAYS: '30' });
  database = await openTestDatabase();
});
afterAll(() => database.close());
// Tests that turn the MFA policy on put the configuration back.
afterEach(() => installConfig(config));

const MINUTE = 60_000;
const CODE_FORMAT = /^[0-9a-hjkmnp-tv-z]{4}(-[0-9a-hjkmnp-tv-z]{4}){5}$/;

function requireMfa(): void {
  installConfig({ ...config, mfa: { ...config.mfa, required: true } });
}

async function newUser(options: { isAdmin?: boolean } = {}): Promise<PublicUser> {
  const result = await createUser({ email: uniqueEmail('enroll'), password: GOOD_PASSWORD, name: 'Enid Roll', ...options }, testContext(), 'sign_up');
  if (!result.ok) throw new Error('sign-up failed');
  return result.user;
}

/** Signed in with every factor (password and authenticator app). */
const ALL_FACTORS = ['pwd', 'otp', 'mfa'];
/** Signed in with the password alone: a user without a second factor, or a remembered browser. */
const PASSWORD_ONLY = ['pwd'];

/** The user's session, signed in `minutesAgo` minutes before `now`, with `amr`. */
function holderOf(user: PublicUser, now = new Date(), minutesAgo = 0, amr: readonly string[] = ALL_FACTORS): AccountHolder {
  return { userId: user.id, authenticatedAt: new Date(now.getTime() - minutesAgo * MINUTE), amr, user };
}

/** Sets up the authenticator app through the policy; returns its secret and the recovery codes handed out. */
async function enrollTotp(holder: AccountHolder, now = new Date()) {
  const started = await startAuthenticatorApp(holder, now);
  if (!started.ok) throw new Error(`could not start: ${started.error}`);
  const confirmed = await confirmAuthenticatorApp(holder, totpAt(started.secret, now), testContext(), now);
  if (!confirmed.ok) throw new Error(`could not confirm: ${confirmed.error}`);
  return { secret: started.secret, recoveryCodes: confirmed.recoveryCodes };
}

/** Registers a passkey through the policy. */
async function enrollPasskey(holder: AccountHolder, authenticator: SoftwareAuthenticator = newAuthenticator(), nickname: unknown = 'Laptop') {
  const options = await passkeyRegistrationOptions(holder);
  if (!options.ok) throw new Error(`no options: ${options.error}`);
  const added = await addPasskey(holder, options.ceremonyToken, authenticator.register(options.options), nickname, testContext());
  if (!added.ok) throw new Error(`passkey refused: ${added.error}`);
  return added;
}

async function trustedBrowserOf(user: PublicUser): Promise<string> {
  const token = await trustBrowser(user.id, testContext());
  if (!token) throw new Error('remembering browsers is off');
  expect(await isTrustedBrowser(user.id, token)).toBe(true);
  return token;
}

function eventsOf(userId: string, type: string) {
  return database.sql<{ outcome: string; details: Record<string, unknown> }>(
    'SELECT outcome, details FROM audit_events WHERE actor_user_id = $1 AND type = $2 ORDER BY seq',
    [userId, type],
  );
}

describe('fresh authentication', () => {
  it('is a 10-minute window after the session’s last sign-in', () => {
    expect(FRESH_AUTHENTICATION_SECONDS).toBe(600);
    const now = new Date();
    expect(isFreshlyAuthenticated({ authenticatedAt: new Date(now.getTime() - 600_000) }, now)).toBe(true);
    expect(isFreshlyAuthenticated({ authenticatedAt: new Date(now.getTime() - 600_001) }, now)).toBe(false);
    expect(isFreshlyAuthenticated({ authenticatedAt: now }, now)).toBe(true);
  });

  it('is required to remove the authenticator app, and nothing changes without it', async () => {
    const user = await newUser();
    await enrollTotp(holderOf(user));
    const stale = holderOf(user, new Date(), 11);
    expect(await removeAuthenticatorApp(stale, testContext())).toEqual({ ok: false, error: 'reauthentication_required' });
    expect(await hasConfirmedTotp(user.id)).toBe(true);
    expect(await eventsOf(user.id, 'mfa.totp_removed')).toEqual([]);
  });

  it('is required to delete a passkey', async () => {
    const user = await newUser();
    const { passkey } = await enrollPasskey(holderOf(user));
    expect(await deleteUserPasskey(holderOf(user, new Date(), 10.5), passkey.id, testContext())).toEqual({
      ok: false,
      error: 'reauthentication_required',
    });
    expect(await countPasskeys(user.id)).toBe(1);
  });

  it('is required to regenerate recovery codes, and the old set keeps working without it', async () => {
    const user = await newUser();
    const { recoveryCodes } = await enrollTotp(holderOf(user));
    expect(await regenerateRecoveryCodes(holderOf(user, new Date(), 30), testContext())).toEqual({ ok: false, error: 'reauthentication_required' });
    expect(await redeemRecoveryCode(user.id, recoveryCodes![0], testContext())).toBe(true);
    expect(await remainingRecoveryCodes(user.id)).toBe(9);
  });

  it('is required to add a factor too: a stolen session must not plant an authenticator app or a passkey', async () => {
    const user = await newUser();
    const now = new Date();
    const fresh = holderOf(user, now, 9);
    const stale = holderOf(user, now, 11);
    expect(await startAuthenticatorApp(stale, now)).toEqual({ ok: false, error: 'reauthentication_required' });
    expect(await passkeyRegistrationOptions(stale, now)).toEqual({ ok: false, error: 'reauthentication_required' });

    // Started while fresh, confirmed once stale: refused, and the app is not a factor.
    const started = await startAuthenticatorApp(fresh, now);
    if (!started.ok) throw new Error('could not start');
    expect(await confirmAuthenticatorApp(stale, totpAt(started.secret, now), testContext(), now)).toEqual({
      ok: false,
      error: 'reauthentication_required',
    });
    expect(await hasConfirmedTotp(user.id)).toBe(false);

    const options = await passkeyRegistrationOptions(fresh, now);
    if (!options.ok) throw new Error('no options');
    const response = newAuthenticator().register(options.options);
    expect(await addPasskey(stale, options.ceremonyToken, response, 'Planted', testContext(), now)).toEqual({
      ok: false,
      error: 'reauthentication_required',
    });
    expect(await countPasskeys(user.id)).toBe(0);
  });

  it('is a full one once the user has a second factor: a remembered browser’s password-only sign-in cannot add, remove or replace a way in', async () => {
    const user = await newUser();
    const now = new Date();
    const { recoveryCodes } = await enrollTotp(holderOf(user, now, 0, PASSWORD_ONLY), now);
    const { passkey } = await enrollPasskey(holderOf(user));
    const remembered = holderOf(user, now, 1, PASSWORD_ONLY);
    const refused = { ok: false, error: 'reauthentication_required' };

    expect(await passkeyRegistrationOptions(remembered, now)).toEqual(refused);
    const options = await passkeyRegistrationOptions(holderOf(user, now), now);
    if (!options.ok) throw new Error('no options');
    expect(await addPasskey(remembered, options.ceremonyToken, newAuthenticator().register(options.options), 'Planted', testContext(), now)).toEqual(refused);
    expect(await deleteUserPasskey(remembered, passkey.id, testContext(), now)).toEqual(refused);
    expect(await removeAuthenticatorApp(remembered, testContext(), now)).toEqual(refused);
    expect(await regenerateRecoveryCodes(remembered, testContext(), now)).toEqual(refused);
    expect(await startAuthenticatorApp(remembered, now)).toEqual(refused);

    expect(await secondFactorsOf(user.id)).toMatchObject({ totp: true, passkeys: 1 });
    expect(await redeemRecoveryCode(user.id, recoveryCodes![0], testContext())).toBe(true);
    // With the second factor too (a step-up), the same change goes through.
    expect(await regenerateRecoveryCodes(holderOf(user, now, 1, ['pwd', 'hwk', 'user', 'mfa']), testContext(), now)).toMatchObject({ ok: true });
  });

  it('lets a user without a second factor add their first after a fresh password sign-in (the forced enrolment), not a stale one', async () => {
    const user = await newUser();
    const now = new Date();
    expect(await startAuthenticatorApp(holderOf(user, now, 11, PASSWORD_ONLY), now)).toEqual({ ok: false, error: 'reauthentication_required' });
    const { recoveryCodes } = await enrollTotp(holderOf(user, now, 9, PASSWORD_ONLY), now);
    expect(recoveryCodes).toHaveLength(10);
    expect(await hasConfirmedTotp(user.id)).toBe(true);
  });

  it('is not needed to rename a passkey or forget a remembered browser', async () => {
    const user = await newUser();
    const { passkey } = await enrollPasskey(holderOf(user));
    const token = await trustedBrowserOf(user);
    const stale = holderOf(user, new Date(), 120);
    expect(await renameUserPasskey(stale, passkey.id, 'Work laptop', testContext())).toMatchObject({ ok: true, passkey: { nickname: 'Work laptop' } });
    const [device] = (await securityOverview(stale)).rememberedBrowsers;
    expect(await forgetRememberedBrowser(stale, device!.id, testContext())).toEqual({ ok: true });
    expect(await isTrustedBrowser(user.id, token)).toBe(false);
  });
});

describe('the first factor comes with recovery codes', () => {
  it('confirming the first authenticator app hands out ten codes, once, and audits it', async () => {
    const user = await newUser();
    const { recoveryCodes } = await enrollTotp(holderOf(user));
    expect(recoveryCodes).toHaveLength(10);
    for (const code of recoveryCodes!) expect(code).toMatch(CODE_FORMAT);
    expect(new Set(recoveryCodes).size).toBe(10);
    expect(await remainingRecoveryCodes(user.id)).toBe(10);
    expect(await eventsOf(user.id, 'mfa.recovery_codes_generated')).toEqual([{ outcome: 'success', details: { count: 10 } }]);
    // Stored hashed: no code appears in the database.
    const rows = await database.sql('SELECT * FROM recovery_codes WHERE user_id = $1', [user.id]);
    const stored = JSON.stringify(rows);
    for (const code of recoveryCodes!) {
      expect(stored).not.toContain(code);
      expect(stored).not.toContain(code.replaceAll('-', ''));
    }
  });

  it('registering the first passkey hands out ten codes too', async () => {
    const user = await newUser();
    const added = await enrollPasskey(holderOf(user), newAuthenticator(), 'Phone');
    expect(added.passkey).toMatchObject({ nickname: 'Phone' });
    expect(added.recoveryCodes).toHaveLength(10);
    expect(await remainingRecoveryCodes(user.id)).toBe(10);
  });

  it('a second factor does not replace the codes the user saved', async () => {
    const user = await newUser();
    const holder = holderOf(user);
    const { recoveryCodes } = await enrollPasskey(holder);
    const { recoveryCodes: none } = await enrollTotp(holder);
    expect(none).toBeNull();
    const another = await enrollPasskey(holder, newAuthenticator(), 'Security key');
    expect(another.recoveryCodes).toBeNull();
    expect(await redeemRecoveryCode(user.id, recoveryCodes![3], testContext())).toBe(true);
    expect(await eventsOf(user.id, 'mfa.recovery_codes_generated')).toHaveLength(1);
  });

  it('a failed confirmation or registration hands out nothing', async () => {
    const user = await newUser();
    const holder = holderOf(user);
    const now = new Date();
    const started = await startAuthenticatorApp(holder, now);
    if (!started.ok) throw new Error('could not start');
    expect(await confirmAuthenticatorApp(holder, '000000' === totpAt(started.secret, now) ? '111111' : '000000', testContext(), now)).toEqual({
      ok: false,
      error: 'invalid_code',
    });
    const options = await passkeyRegistrationOptions(holder);
    if (!options.ok) throw new Error('no options');
    const tampered = newAuthenticator({ origin: 'https://evil.example' }).register(options.options);
    expect(await addPasskey(holder, options.ceremonyToken, tampered, 'Evil', testContext())).toEqual({
      ok: false,
      error: 'passkey_refused',
      reason: 'origin_mismatch',
    });
    expect(await remainingRecoveryCodes(user.id)).toBe(0);
    expect(await secondFactorsOf(user.id)).toEqual({ totp: false, passkeys: 0, recoveryCodes: 0 });
  });
});

describe('every factor change forgets the remembered browsers', () => {
  const changes: Array<[string, string, (holder: AccountHolder) => Promise<unknown>]> = [
    ['adding the authenticator app', 'totp_enrolled', (holder) => enrollTotp(holder)],
    ['adding a passkey', 'passkey_registered', (holder) => enrollPasskey(holder)],
    ['removing the authenticator app', 'totp_removed', (holder) => removeAuthenticatorApp(holder, testContext())],
    [
      'deleting a passkey',
      'passkey_removed',
      async (holder) => deleteUserPasskey(holder, (await listPasskeys(holder.userId))[0]!.id, testContext()),
    ],
    ['regenerating recovery codes', 'recovery_codes_regenerated', (holder) => regenerateRecoveryCodes(holder, testContext())],
  ];

  it.each(changes)('%s', async (_label, reason, change) => {
    const user = await newUser();
    const holder = holderOf(user);
    // Both factors, so that removing one is allowed and leaves a factor.
    if (reason !== 'totp_enrolled') await enrollTotp(holder);
    if (reason !== 'passkey_registered') await enrollPasskey(holder);
    const token = await trustedBrowserOf(user);
    const result = (await change(holder)) as { ok?: boolean };
    expect(result.ok ?? true).toBe(true);
    expect(await isTrustedBrowser(user.id, token)).toBe(false);
    expect(await database.sql('SELECT 1 FROM trusted_devices WHERE user_id = $1', [user.id])).toEqual([]);
    expect((await eventsOf(user.id, 'mfa.trusted_device_removed')).at(-1)).toEqual({ outcome: 'success', details: { count: 1, reason } });
  });

  it('renaming a passkey is not a factor change', async () => {
    const user = await newUser();
    const { passkey } = await enrollPasskey(holderOf(user));
    const token = await trustedBrowserOf(user);
    expect((await renameUserPasskey(holderOf(user), passkey.id, 'Renamed', testContext())).ok).toBe(true);
    expect(await isTrustedBrowser(user.id, token)).toBe(true);
  });
});

describe('the last factor', () => {
  it('cannot be removed while OPTARE_MFA_REQUIRED is on: neither the app nor the last passkey', async () => {
    const totpUser = await newUser();
    await enrollTotp(holderOf(totpUser));
    const passkeyUser = await newUser();
    const { passkey } = await enrollPasskey(holderOf(passkeyUser));
    requireMfa();

    expect(await removeAuthenticatorApp(holderOf(totpUser), testContext())).toEqual({ ok: false, error: 'last_factor_required' });
    expect(await hasConfirmedTotp(totpUser.id)).toBe(true);
    expect(await deleteUserPasskey(holderOf(passkeyUser), passkey.id, testContext())).toEqual({ ok: false, error: 'last_factor_required' });
    expect(await countPasskeys(passkeyUser.id)).toBe(1);
    expect(await remainingRecoveryCodes(totpUser.id)).toBe(10);
    expect(await remainingRecoveryCodes(passkeyUser.id)).toBe(10);
  });

  it('cannot be removed by an administrator, even with the policy off', async () => {
    const admin = await newUser({ isAdmin: true });
    const holder = holderOf(admin);
    await enrollTotp(holder);
    expect(config.mfa.required).toBe(false);
    expect(await removeAuthenticatorApp(holder, testContext())).toEqual({ ok: false, error: 'last_factor_required' });
    // With a passkey as well, the app may go; then the passkey is the last one and must stay.
    const { passkey } = await enrollPasskey(holder);
    expect(await removeAuthenticatorApp(holder, testContext())).toEqual({ ok: true, recoveryCodesRemoved: false });
    expect(await deleteUserPasskey(holder, passkey.id, testContext())).toEqual({ ok: false, error: 'last_factor_required' });
    expect((await securityOverview(holder)).mfaRequired).toBe(true);
  });

  it('may go while another factor remains, under the policy too', async () => {
    const user = await newUser();
    const holder = holderOf(user);
    await enrollTotp(holder);
    const first = await enrollPasskey(holder, newAuthenticator(), 'One');
    const second = await enrollPasskey(holder, newAuthenticator(), 'Two');
    requireMfa();
    expect(await deleteUserPasskey(holder, first.passkey.id, testContext())).toEqual({ ok: true, recoveryCodesRemoved: false });
    expect(await removeAuthenticatorApp(holder, testContext())).toEqual({ ok: true, recoveryCodesRemoved: false });
    expect(await deleteUserPasskey(holder, second.passkey.id, testContext())).toEqual({ ok: false, error: 'last_factor_required' });
    expect(await remainingRecoveryCodes(user.id)).toBe(10);
  });

  it('takes the recovery codes with it when the policy allows it to go', async () => {
    const user = await newUser();
    const holder = holderOf(user);
    const { recoveryCodes } = await enrollTotp(holder);
    expect(await removeAuthenticatorApp(holder, testContext())).toEqual({ ok: true, recoveryCodesRemoved: true });
    expect(await hasConfirmedTotp(user.id)).toBe(false);
    expect(await remainingRecoveryCodes(user.id)).toBe(0);
    expect(await database.sql('SELECT 1 FROM recovery_codes WHERE user_id = $1', [user.id])).toEqual([]);
    expect(await redeemRecoveryCode(user.id, recoveryCodes![0], testContext())).toBe(false);
    expect(await eventsOf(user.id, 'mfa.recovery_codes_removed')).toEqual([{ outcome: 'success', details: { count: 10, reason: 'totp_removed' } }]);
    expect(await eventsOf(user.id, 'mfa.totp_removed')).toHaveLength(1);

    const passkeyUser = await newUser();
    const { passkey } = await enrollPasskey(holderOf(passkeyUser));
    expect(await deleteUserPasskey(holderOf(passkeyUser), passkey.id, testContext())).toEqual({ ok: true, recoveryCodesRemoved: true });
    expect(await remainingRecoveryCodes(passkeyUser.id)).toBe(0);
  });
});

describe('regenerating recovery codes', () => {
  it('replaces the whole set: old codes stop working, new ones work once', async () => {
    const user = await newUser();
    const holder = holderOf(user);
    const { recoveryCodes: old } = await enrollTotp(holder);
    expect(await redeemRecoveryCode(user.id, old![0], testContext())).toBe(true);
    const regenerated = await regenerateRecoveryCodes(holder, testContext());
    if (!regenerated.ok) throw new Error(regenerated.error);
    expect(regenerated.codes).toHaveLength(10);
    expect(regenerated.codes.some((code) => old!.includes(code))).toBe(false);
    expect(await remainingRecoveryCodes(user.id)).toBe(10);
    expect(await redeemRecoveryCode(user.id, old![1], testContext())).toBe(false);
    expect(await redeemRecoveryCode(user.id, regenerated.codes[0], testContext())).toBe(true);
    expect(await redeemRecoveryCode(user.id, regenerated.codes[0], testContext())).toBe(false);
  });

  it('is refused without a factor to back up', async () => {
    const user = await newUser();
    expect(await regenerateRecoveryCodes(holderOf(user), testContext())).toEqual({ ok: false, error: 'no_second_factor' });
    expect(await remainingRecoveryCodes(user.id)).toBe(0);
  });
});

describe('hostile and mistaken input', () => {
  const HOSTILE_IDS: unknown[] = [
    undefined,
    null,
    '',
    'not-a-uuid',
    "' OR 1=1 --",
    '00000000-0000-0000-0000-000000000000',
    'x'.repeat(10_000),
    42,
    ['00000000-0000-0000-0000-000000000000'],
    { $ne: null },
  ];

  it('deleting or renaming a passkey that is not the user’s (or not an id) is not_found, and changes nothing', async () => {
    const owner = await newUser();
    const { passkey } = await enrollPasskey(holderOf(owner));
    await enrollTotp(holderOf(owner));
    const intruder = await newUser();
    await enrollTotp(holderOf(intruder));
    for (const id of [...HOSTILE_IDS, passkey.id, passkey.id.toUpperCase()]) {
      expect(await deleteUserPasskey(holderOf(intruder), id, testContext())).toEqual({ ok: false, error: 'not_found' });
      expect(await renameUserPasskey(holderOf(intruder), id, 'Mine now', testContext())).toEqual({ ok: false, error: 'not_found' });
    }
    expect(await listPasskeys(owner.id)).toMatchObject([{ id: passkey.id, nickname: 'Laptop' }]);
    // The owner may use any case of the id.
    expect(await deleteUserPasskey(holderOf(owner), passkey.id.toUpperCase(), testContext())).toEqual({ ok: true, recoveryCodesRemoved: false });
  });

  it('a hostile nickname is refused, at registration and at renaming', async () => {
    const user = await newUser();
    const holder = holderOf(user);
    const { passkey } = await enrollPasskey(holder);
    for (const nickname of ['Evil\u202Egnp.exe', 'zero\u200Bwidth', 'x'.repeat(65), 'x'.repeat(100_000), 42, ['a'], { a: 1 }, '   ']) {
      expect(await renameUserPasskey(holder, passkey.id, nickname, testContext())).toEqual({ ok: false, error: 'invalid_nickname' });
    }
    const options = await passkeyRegistrationOptions(holder);
    if (!options.ok) throw new Error('no options');
    const refused = await addPasskey(holder, options.ceremonyToken, newAuthenticator().register(options.options), 'bad\u0007', testContext());
    expect(refused).toEqual({ ok: false, error: 'passkey_refused', reason: 'invalid_nickname' });
    expect(await countPasskeys(user.id)).toBe(1);
    // Markup is just text.
    expect(await renameUserPasskey(holder, passkey.id, '<img src=x onerror=alert(1)>', testContext())).toMatchObject({
      ok: true,
      passkey: { nickname: '<img src=x onerror=alert(1)>' },
    });
  });

  it('a malformed or replayed registration is refused without an exception', async () => {
    const user = await newUser();
    const holder = holderOf(user);
    for (const response of [undefined, null, 'x', 42, [], {}, { id: 'x', response: {} }, { id: 'x'.repeat(20_000) }]) {
      const options = await passkeyRegistrationOptions(holder);
      if (!options.ok) throw new Error('no options');
      const result = await addPasskey(holder, options.ceremonyToken, response, 'Name', testContext());
      expect(result).toMatchObject({ ok: false, error: 'passkey_refused' });
    }
    const options = await passkeyRegistrationOptions(holder);
    if (!options.ok) throw new Error('no options');
    const response = newAuthenticator().register(options.options);
    expect((await addPasskey(holder, options.ceremonyToken, response, 'Name', testContext())).ok).toBe(true);
    expect(await addPasskey(holder, options.ceremonyToken, response, 'Again', testContext())).toEqual({
      ok: false,
      error: 'passkey_refused',
      reason: 'ceremony_not_found',
    });
    for (const token of [undefined, '', 'x'.repeat(5000)]) {
      expect(await addPasskey(holder, token, response, 'Name', testContext())).toMatchObject({ ok: false, error: 'passkey_refused' });
    }
    expect(await countPasskeys(user.id)).toBe(1);
  });

  it('a malformed confirmation code is invalid_code; confirming with nothing pending is no_enrollment', async () => {
    const user = await newUser();
    const holder = holderOf(user);
    expect(await confirmAuthenticatorApp(holder, '123456', testContext())).toEqual({ ok: false, error: 'no_enrollment' });
    const started = await startAuthenticatorApp(holder);
    expect(started.ok).toBe(true);
    for (const code of [undefined, null, '', 'abcdef', '12345', '1234567', 'x'.repeat(10_000), 123456, ['123456'], { code: '123456' }]) {
      expect(await confirmAuthenticatorApp(holder, code, testContext())).toEqual({ ok: false, error: 'invalid_code' });
    }
    expect(await hasConfirmedTotp(user.id)).toBe(false);
    // Once set up, starting again is refused until it is removed.
    await enrollTotp(holder);
    expect(await startAuthenticatorApp(holder)).toEqual({ ok: false, error: 'already_enrolled' });
  });

  it('removing an app that is not set up is not_found', async () => {
    const user = await newUser();
    expect(await removeAuthenticatorApp(holderOf(user), testContext())).toEqual({ ok: false, error: 'not_found' });
  });

  it('forgetting a browser that is not the user’s (or not an id) is not_found, and it stays remembered', async () => {
    const owner = await newUser();
    const token = await trustedBrowserOf(owner);
    const [device] = (await securityOverview(holderOf(owner))).rememberedBrowsers;
    const intruder = await newUser();
    for (const id of [...HOSTILE_IDS, device!.id]) {
      expect(await forgetRememberedBrowser(holderOf(intruder), id, testContext())).toEqual({ ok: false, error: 'not_found' });
    }
    expect(await isTrustedBrowser(owner.id, token)).toBe(true);
    expect(await forgetRememberedBrowser(holderOf(owner), device!.id.toUpperCase(), testContext())).toEqual({ ok: true });
    expect(await forgetRememberedBrowser(holderOf(owner), device!.id, testContext())).toEqual({ ok: false, error: 'not_found' });
  });
});

describe('the security overview', () => {
  it('lists factors, codes left and remembered browsers as a person reads them', async () => {
    const user = await newUser();
    const holder = holderOf(user);
    await enrollPasskey(holder, newAuthenticator({ flags: { be: true, bs: true } }), 'Synced');
    await trustBrowser(
      user.id,
      testContext({ ip: '198.51.100.4', userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0' }),
    );
    const overview = await securityOverview(holder);
    expect(overview).toMatchObject({
      totp: false,
      recoveryCodes: 10,
      mfaRequired: false,
      passkeys: [{ nickname: 'Synced', deviceType: 'synced', lastUsedAt: null }],
      rememberedBrowsers: [{ browser: 'Firefox', os: 'Linux', ip: '198.51.100.4' }],
    });
    expect(overview.rememberedBrowsers[0]!.createdAt).toBeInstanceOf(Date);
  });
});
