import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authenticationOptions,
  countPasskeys,
  deleteExpiredCeremonies,
  deletePasskey,
  listPasskeys,
  registrationOptions,
  renamePasskey,
  verifyAuthentication,
  verifyRegistration,
  webauthnRelyingParty,
} from '../../lib/auth/webauthn';
import { sha256 } from '../../lib/crypto/hash';
import { openTestDatabase, type TestDatabase } from '../support/database';
import { useTestConfig } from '../support/config';
import { testContext } from '../support/context';
import {
  auditEventsOf,
  expectFailureAudited,
  ISSUER,
  MINUTE,
  newAuthenticator,
  newUser,
  registerPasskey,
  RP_ID,
  signIn,
  userWithPasskey,
} from './webauthn-support';

let database: TestDatabase;
beforeAll(async () => {
  useTestConfig({ OPTARE_ISSUER: ISSUER });
  database = await openTestDatabase();
});
afterAll(() => database.close());

describe('the relying party', () => {
  it('is the issuer: its host is the RP ID and its origin the only accepted origin', () => {
    expect(webauthnRelyingParty()).toEqual({ rpID: RP_ID, rpName: 'Optare', origin: ISSUER });
  });
});

describe('passkey registration', () => {
  it('asks for a discoverable credential, user verification preferred, no attestation, EdDSA/ES256/RS256', async () => {
    const user = await newUser();
    const { options } = await registrationOptions(user);
    expect(options).toMatchObject({
      rp: { id: RP_ID, name: 'Optare' },
      user: { id: Buffer.from(user.id).toString('base64url'), name: user.email, displayName: user.name },
      pubKeyCredParams: [
        { alg: -8, type: 'public-key' },
        { alg: -7, type: 'public-key' },
        { alg: -257, type: 'public-key' },
      ],
      timeout: 5 * MINUTE,
      attestation: 'none',
      excludeCredentials: [],
      authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'preferred' },
    });
    expect(Buffer.from(options.challenge, 'base64url')).toHaveLength(32);
  });

  it('stores the ceremony under the SHA-256 of its token, bound to the user, for 5 minutes', async () => {
    const user = await newUser();
    const now = new Date();
    const { options, ceremonyToken } = await registrationOptions(user, now);
    expect(ceremonyToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const rows = await database.sql('SELECT * FROM webauthn_challenges WHERE id_hash = $1', [Buffer.from(sha256(ceremonyToken))]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ purpose: 'registration', user_id: user.id, challenge: options.challenge });
    expect(rows[0]!.expires_at.getTime()).toBe(now.getTime() + 5 * MINUTE);
    const all = await database.sql('SELECT * FROM webauthn_challenges');
    expect(JSON.stringify(all)).not.toContain(ceremonyToken);
  });

  it('stores the public key, counter, transports, backup flags, AAGUID, nickname and creation time, and audits it', async () => {
    const user = await newUser();
    const aaguid = Uint8Array.from(Buffer.from('adce000235bcc60a648b0b25f1f05503', 'hex'));
    const authenticator = newAuthenticator({ aaguid, transports: ['usb', 'nfc', 'bogus', 'usb'] });
    const { options, ceremonyToken } = await registrationOptions(user);
    const context = testContext();
    const now = new Date();
    const result = await verifyRegistration(user.id, ceremonyToken, authenticator.register(options, { counter: 7 }), '  YubiKey 5 ', context, now);
    expect(result).toEqual({
      ok: true,
      credential: {
        id: expect.any(String),
        nickname: 'YubiKey 5',
        createdAt: now,
        lastUsedAt: null,
        backedUp: false,
        deviceType: 'device-bound',
        transports: ['nfc', 'usb'],
      },
    });
    const [row] = await database.sql('SELECT * FROM webauthn_credentials WHERE user_id = $1', [user.id]);
    const held = authenticator.credentials[0]!;
    expect(Buffer.from(row!.credential_id)).toEqual(held.id);
    expect(Buffer.from(row!.public_key)).toEqual(Buffer.from(held.cosePublicKey));
    expect(row).toMatchObject({
      counter: '7',
      transports: ['nfc', 'usb'],
      backup_eligible: false,
      backed_up: false,
      aaguid: 'adce0002-35bc-c60a-648b-0b25f1f05503',
      nickname: 'YubiKey 5',
      last_used_at: null,
    });
    const events = await auditEventsOf(database, context);
    expect(events).toEqual([
      {
        type: 'mfa.passkey_registered',
        outcome: 'success',
        actor_user_id: user.id,
        subject: user.id,
        details: {
          passkeyId: row!.id,
          nickname: 'YubiKey 5',
          deviceType: 'device-bound',
          aaguid: 'adce0002-35bc-c60a-648b-0b25f1f05503',
          userVerified: true,
        },
      },
    ]);
  });

  it('names a passkey registered without a nickname after the date', async () => {
    const user = await newUser();
    const authenticator = newAuthenticator();
    const when = new Date('2026-11-30T12:00:00Z');
    for (const nickname of [undefined, null, '', '   ']) {
      const { options, ceremonyToken } = await registrationOptions(user, when);
      const result = await verifyRegistration(
        user.id,
        ceremonyToken,
        authenticator.register(options, { ignoreExclude: true }),
        nickname,
        testContext(),
        when,
      );
      expect(result).toMatchObject({ ok: true, credential: { nickname: 'Passkey 2026-11-30' } });
    }
  });

  it('refuses a bad nickname, audits it, and leaves the ceremony usable for a corrected one', async () => {
    const user = await newUser();
    const authenticator = newAuthenticator();
    const { options, ceremonyToken } = await registrationOptions(user);
    const response = authenticator.register(options);
    for (const nickname of ['a'.repeat(65), 'evil\u202etxt', 'two\nlines', 'nul\u0000', 42, { name: 'x' }, ['x']]) {
      const context = testContext();
      expect(await verifyRegistration(user.id, ceremonyToken, response, nickname, context)).toEqual({ ok: false, reason: 'invalid_nickname' });
      await expectFailureAudited(database, context, { purpose: 'registration', reason: 'invalid_nickname', userId: user.id }, [ceremonyToken]);
    }
    expect(await countPasskeys(user.id)).toBe(0);
    expect(await verifyRegistration(user.id, ceremonyToken, response, 'Laptop', testContext())).toMatchObject({ ok: true });
  });

  it('lists the user’s passkeys in excludeCredentials, and the authenticator refuses to register again', async () => {
    const { user, authenticator } = await userWithPasskey({ transports: ['internal'] });
    const other = newAuthenticator({ algorithm: 'EdDSA' });
    await registerPasskey(user, other);
    const { options } = await registrationOptions(user);
    expect(options.excludeCredentials).toEqual([
      { id: authenticator.credentials[0]!.id.toString('base64url'), transports: ['internal'], type: 'public-key' },
      { id: other.credentials[0]!.id.toString('base64url'), transports: ['hybrid', 'internal'], type: 'public-key' },
    ]);
    expect(() => authenticator.register(options)).toThrow(/InvalidStateError/);
  });

  it('refuses a credential ID that is registered already, to this user or another', async () => {
    const { user, authenticator } = await userWithPasskey();
    const credentialId = authenticator.credentials[0]!.id;
    for (const target of [user, await newUser()]) {
      const { options, ceremonyToken } = await registrationOptions(target);
      const context = testContext();
      const response = newAuthenticator().register(options, { credentialId });
      expect(await verifyRegistration(target.id, ceremonyToken, response, 'Copy', context)).toEqual({ ok: false, reason: 'already_registered' });
      await expectFailureAudited(database, context, { purpose: 'registration', reason: 'already_registered', userId: target.id });
      expect(await countPasskeys(target.id)).toBe(target === user ? 1 : 0);
    }
  });

  it.each(['EdDSA', 'RS256'] as const)('registers and signs in with a %s key', async (algorithm) => {
    const { user, authenticator } = await userWithPasskey({ algorithm });
    expect(await signIn(authenticator, 'authentication', null)).toMatchObject({ ok: true, userId: user.id });
  });
});

describe('passwordless sign-in', () => {
  it('offers no allowCredentials, so the browser picks a discoverable passkey', async () => {
    const { options, ceremonyToken } = await authenticationOptions('authentication', null);
    expect(options).toMatchObject({ rpId: RP_ID, allowCredentials: [], userVerification: 'preferred', timeout: 5 * MINUTE });
    const [row] = await database.sql('SELECT purpose, user_id FROM webauthn_challenges WHERE id_hash = $1', [Buffer.from(sha256(ceremonyToken))]);
    expect(row).toEqual({ purpose: 'authentication', user_id: null });
  });

  it('identifies the user by the passkey, updates counter and last use, and audits the success', async () => {
    const { user, authenticator, passkey } = await userWithPasskey();
    const { options, ceremonyToken } = await authenticationOptions('authentication', null);
    const context = testContext();
    const now = new Date(Date.now() + 1000);
    const response = authenticator.authenticate(options);
    const result = await verifyAuthentication('authentication', ceremonyToken, response, null, context, now);
    expect(result).toEqual({
      ok: true,
      userId: user.id,
      credentialId: response.id,
      passkeyId: passkey.id,
      amr: ['hwk', 'user', 'pin'],
    });
    const [row] = await database.sql('SELECT counter, last_used_at FROM webauthn_credentials WHERE id = $1', [passkey.id]);
    expect(row).toEqual({ counter: '1', last_used_at: now });
    expect(await auditEventsOf(database, context)).toEqual([
      {
        type: 'auth.factor_verified',
        outcome: 'success',
        actor_user_id: user.id,
        subject: user.id,
        details: { method: 'passkey', purpose: 'authentication', passkeyId: passkey.id, amr: ['hwk', 'user', 'pin'] },
      },
    ]);
    const [listed] = await listPasskeys(user.id);
    expect(listed!.lastUsedAt).toEqual(now);
  });

  it('signs in again and again as the counter moves forward', async () => {
    const { user, authenticator } = await userWithPasskey();
    for (let i = 0; i < 3; i += 1) {
      expect(await signIn(authenticator, 'authentication', null)).toMatchObject({ ok: true, userId: user.id });
    }
    expect(authenticator.credentials[0]!.counter).toBe(3);
  });

  it('accepts an authenticator that does not count signatures (0 after 0)', async () => {
    const { user, authenticator, passkey } = await userWithPasskey({ countsSignatures: false });
    for (let i = 0; i < 2; i += 1) {
      expect(await signIn(authenticator, 'authentication', null)).toMatchObject({ ok: true, userId: user.id });
    }
    const [row] = await database.sql('SELECT counter FROM webauthn_credentials WHERE id = $1', [passkey.id]);
    expect(row).toEqual({ counter: '0' });
  });

  it('refuses a disabled account, after the signature proves the passkey', async () => {
    const { user, authenticator } = await userWithPasskey();
    await database.sql('UPDATE users SET disabled_at = now() WHERE id = $1', [user.id]);
    const context = testContext();
    expect(await signIn(authenticator, 'authentication', null, context)).toEqual({ ok: false, reason: 'account_disabled' });
    await expectFailureAudited(database, context, { purpose: 'authentication', reason: 'account_disabled', userId: user.id });
  });
});

describe('a passkey as the second factor', () => {
  it('allows exactly the user’s passkeys and returns the user', async () => {
    const { user, authenticator, passkey } = await userWithPasskey();
    const second = newAuthenticator();
    await registerPasskey(user, second);
    const { options } = await authenticationOptions('second_factor', user.id);
    expect(options.allowCredentials).toEqual([
      { id: authenticator.credentials[0]!.id.toString('base64url'), transports: ['hybrid', 'internal'], type: 'public-key' },
      { id: second.credentials[0]!.id.toString('base64url'), transports: ['hybrid', 'internal'], type: 'public-key' },
    ]);
    const context = testContext();
    expect(await signIn(authenticator, 'second_factor', user.id, context)).toMatchObject({ ok: true, userId: user.id, passkeyId: passkey.id });
    expect(await auditEventsOf(database, context)).toMatchObject([
      { type: 'auth.factor_verified', outcome: 'success', actor_user_id: user.id, details: { method: 'passkey', purpose: 'second_factor' } },
    ]);
  });

  it('accepts an assertion without a user handle (a non-discoverable answer), since the user is known', async () => {
    const { user, authenticator } = await userWithPasskey();
    const { options, ceremonyToken } = await authenticationOptions('second_factor', user.id);
    const response = authenticator.authenticate(options, { userHandle: null });
    expect(await verifyAuthentication('second_factor', ceremonyToken, response, user.id, testContext())).toMatchObject({ ok: true, userId: user.id });
  });

  it('refuses to build options that do not fit the purpose', async () => {
    const user = await newUser();
    await expect(authenticationOptions('second_factor', null)).rejects.toThrow(TypeError);
    await expect(authenticationOptions('authentication', user.id)).rejects.toThrow(TypeError);
  });
});

describe('amr', () => {
  it.each([
    [{ be: false, bs: false, uv: true }, ['hwk', 'user', 'pin']],
    [{ be: false, bs: false, uv: false }, ['hwk', 'user']],
    [{ be: true, bs: true, uv: true }, ['swk', 'user', 'pin']],
    [{ be: true, bs: false, uv: false }, ['swk', 'user']],
  ])('flags %o give %o, and the stored backup state follows the assertion', async (flags, amr) => {
    const { passkey, authenticator } = await userWithPasskey({ flags });
    expect(passkey.deviceType).toBe(flags.be ? 'synced' : 'device-bound');
    expect(passkey.backedUp).toBe(flags.bs);
    expect(await signIn(authenticator, 'authentication', null)).toMatchObject({ ok: true, amr });
  });

  it('records a synced passkey becoming backed up', async () => {
    const { user, authenticator, passkey } = await userWithPasskey({ flags: { be: true, bs: false } });
    const { options, ceremonyToken } = await authenticationOptions('authentication', null);
    const response = authenticator.authenticate(options, { flags: { bs: true } });
    expect(await verifyAuthentication('authentication', ceremonyToken, response, null, testContext())).toMatchObject({ ok: true, userId: user.id });
    expect((await listPasskeys(user.id)).find((p) => p.id === passkey.id)).toMatchObject({ backedUp: true, deviceType: 'synced' });
  });
});

describe('the user’s own passkeys', () => {
  it('lists and counts only the user’s passkeys, oldest first, without key material', async () => {
    const { user, passkey } = await userWithPasskey();
    const second = await registerPasskey(user, newAuthenticator(), { nickname: 'Phone' });
    await userWithPasskey();
    const listed = await listPasskeys(user.id);
    expect(listed.map((p) => p.id)).toEqual([passkey.id, second.id]);
    expect(Object.keys(listed[0]!).sort()).toEqual(['backedUp', 'createdAt', 'deviceType', 'id', 'lastUsedAt', 'nickname', 'transports']);
    expect(await countPasskeys(user.id)).toBe(2);
  });

  it('renames the user’s own passkey and audits it; validates the new name', async () => {
    const { user, passkey } = await userWithPasskey();
    const context = testContext();
    expect(await renamePasskey(user.id, passkey.id, '  Work laptop ', context)).toEqual({
      ok: true,
      passkey: { ...passkey, nickname: 'Work laptop' },
    });
    expect(await auditEventsOf(database, context)).toEqual([
      {
        type: 'mfa.passkey_renamed',
        outcome: 'success',
        actor_user_id: user.id,
        subject: user.id,
        details: { passkeyId: passkey.id, nickname: 'Work laptop' },
      },
    ]);
    for (const nickname of ['', '   ', 'x'.repeat(65), 'bidi\u202e', null, 7]) {
      expect(await renamePasskey(user.id, passkey.id, nickname, testContext())).toEqual({ ok: false, reason: 'invalid_nickname' });
    }
    expect((await listPasskeys(user.id))[0]!.nickname).toBe('Work laptop');
  });

  it('cannot rename or delete another user’s passkey, nor a malformed id', async () => {
    const owner = await userWithPasskey();
    const intruder = await newUser();
    for (const id of [owner.passkey.id, owner.passkey.id.toUpperCase(), 'not-a-uuid', '', null, 42, "' OR 1=1 --"]) {
      const context = testContext();
      expect(await renamePasskey(intruder.id, id, 'Mine now', context)).toEqual({ ok: false, reason: 'not_found' });
      expect(await deletePasskey(intruder.id, id, context)).toEqual({ ok: false, reason: 'not_found' });
      expect(await auditEventsOf(database, context)).toEqual([]);
    }
    expect(await listPasskeys(owner.user.id)).toEqual([owner.passkey]);
  });

  it('deletes the user’s own passkey, audits it, and the passkey no longer signs in', async () => {
    const { user, authenticator, passkey } = await userWithPasskey();
    const context = testContext();
    expect(await deletePasskey(user.id, passkey.id, context)).toEqual({ ok: true });
    expect(await deletePasskey(user.id, passkey.id, testContext())).toEqual({ ok: false, reason: 'not_found' });
    expect(await auditEventsOf(database, context)).toEqual([
      {
        type: 'mfa.passkey_removed',
        outcome: 'success',
        actor_user_id: user.id,
        subject: user.id,
        details: { passkeyId: passkey.id, nickname: passkey.nickname },
      },
    ]);
    expect(await countPasskeys(user.id)).toBe(0);
    expect(await signIn(authenticator, 'authentication', null)).toEqual({ ok: false, reason: 'unknown_credential' });
  });
});

describe('the clean-up', () => {
  it('deletes expired ceremonies only', async () => {
    const start = new Date();
    const old = await authenticationOptions('authentication', null, new Date(start.getTime() - 6 * MINUTE));
    const live = await authenticationOptions('authentication', null, start);
    expect(await deleteExpiredCeremonies(start)).toBeGreaterThanOrEqual(1);
    const remaining = await database.sql('SELECT id_hash FROM webauthn_challenges WHERE id_hash = ANY($1)', [
      [Buffer.from(sha256(old.ceremonyToken)), Buffer.from(sha256(live.ceremonyToken))],
    ]);
    expect(remaining.map((row) => Buffer.from(row.id_hash))).toEqual([Buffer.from(sha256(live.ceremonyToken))]);
  });
});
