import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { isoCBOR } from '@simplewebauthn/server/helpers';
import { authenticationOptions, registrationOptions, verifyAuthentication, verifyRegistration } from '../../lib/auth/webauthn';
import { openTestDatabase, type TestDatabase } from '../support/database';
import { useTestConfig } from '../support/config';
import { testContext } from '../support/context';
import {
  editClientData,
  flipByte,
  tamper,
  type AuthenticationOverrides,
  type RegistrationOverrides,
  type SoftwareAuthenticator,
} from '../support/software-authenticator';
import { expectFailureAudited, ISSUER, newAuthenticator, newUser, RP_ID, userWithPasskey } from './webauthn-support';

/**
 * Responses a phishing site, a man in the middle, a stolen credential ID or a cloned authenticator
 * would produce: each is refused with its own reason, audited without secrets, and changes
 * nothing stored.
 */

let database: TestDatabase;
beforeAll(async () => {
  useTestConfig({ OPTARE_ISSUER: ISSUER });
  database = await openTestDatabase();
});
afterAll(() => database.close());

type Purpose = 'authentication' | 'second_factor';

/** Runs one assertion through a ceremony, letting the test shape or tamper with the response. */
async function assert(
  authenticator: SoftwareAuthenticator,
  purpose: Purpose,
  userId: string | null,
  {
    overrides,
    edit,
  }: { overrides?: AuthenticationOverrides; edit?: (response: AuthenticationResponseJSON) => AuthenticationResponseJSON } = {},
) {
  const { options, ceremonyToken } = await authenticationOptions(purpose, purpose === 'authentication' ? null : userId);
  const signed = authenticator.authenticate(options, overrides);
  const response = edit ? edit(structuredClone(signed)) : signed;
  const context = testContext();
  const result = await verifyAuthentication(purpose, ceremonyToken, response, purpose === 'authentication' ? null : userId, context);
  return { result, context, secrets: [ceremonyToken, options.challenge, response.response.signature, response.response.clientDataJSON] };
}

async function register(
  userId: { id: string; email: string; name: string },
  overrides: RegistrationOverrides = {},
  edit?: (response: RegistrationResponseJSON) => RegistrationResponseJSON,
) {
  const { options, ceremonyToken } = await registrationOptions(userId);
  const signed = newAuthenticator().register(options, overrides);
  const response = edit ? edit(structuredClone(signed)) : signed;
  const context = testContext();
  const result = await verifyRegistration(userId.id, ceremonyToken, response, 'Key', context);
  return { result, context, secrets: [ceremonyToken, options.challenge, response.response.attestationObject] };
}

async function storedCredential(userId: string) {
  return database.sql('SELECT counter, last_used_at, backed_up FROM webauthn_credentials WHERE user_id = $1', [userId]);
}

describe('phishing: another origin or RP ID', () => {
  const ORIGINS = [
    'https://evil.example',
    'http://id.example.test',
    'https://id.example.test:8443',
    'https://sub.id.example.test',
    'https://id.example.test.evil.example',
    'https://ID.EXAMPLE.TEST',
    'null',
  ];

  it.each(ORIGINS)('refuses an assertion made on %s', async (origin) => {
    const { user, authenticator } = await userWithPasskey();
    const before = await storedCredential(user.id);
    for (const purpose of ['authentication', 'second_factor'] as const) {
      const { result, context, secrets } = await assert(authenticator, purpose, user.id, { overrides: { origin } });
      expect(result).toEqual({ ok: false, reason: 'origin_mismatch' });
      await expectFailureAudited(database, context, { purpose, reason: 'origin_mismatch', userId: purpose === 'authentication' ? null : user.id }, secrets);
    }
    expect(await storedCredential(user.id)).toEqual(before);
  });

  it.each(ORIGINS)('refuses a registration made on %s', async (origin) => {
    const user = await newUser();
    const { result, context, secrets } = await register(user, { origin });
    expect(result).toEqual({ ok: false, reason: 'origin_mismatch' });
    await expectFailureAudited(database, context, { purpose: 'registration', reason: 'origin_mismatch', userId: user.id }, secrets);
    expect(await storedCredential(user.id)).toEqual([]);
  });

  it('refuses a ceremony run inside another site’s frame', async () => {
    const { user, authenticator } = await userWithPasskey();
    for (const overrides of [{ crossOrigin: true }, { crossOrigin: true, topOrigin: 'https://evil.example' }, { topOrigin: ISSUER }]) {
      const { result } = await assert(authenticator, 'authentication', null, { overrides });
      expect(result).toEqual({ ok: false, reason: 'cross_origin' });
    }
    expect((await register(user, { crossOrigin: true })).result).toEqual({ ok: false, reason: 'cross_origin' });
  });

  it.each(['evil.example', 'example.test', `sub.${RP_ID}`, RP_ID.toUpperCase()])('refuses authenticator data scoped to RP ID %s', async (rpId) => {
    const { user, authenticator } = await userWithPasskey();
    const { result, context, secrets } = await assert(authenticator, 'second_factor', user.id, { overrides: { rpId } });
    expect(result).toEqual({ ok: false, reason: 'rp_id_mismatch' });
    await expectFailureAudited(database, context, { purpose: 'second_factor', reason: 'rp_id_mismatch', userId: user.id }, secrets);
    expect((await register(await newUser(), { rpId })).result).toEqual({ ok: false, reason: 'rp_id_mismatch' });
  });

  it('refuses a creation answer in a sign-in and a sign-in answer in a registration (clientData type)', async () => {
    const { authenticator } = await userWithPasskey();
    expect((await assert(authenticator, 'authentication', null, { overrides: { type: 'webauthn.create' } })).result).toEqual({
      ok: false,
      reason: 'type_mismatch',
    });
    expect((await register(await newUser(), { type: 'webauthn.get' })).result).toEqual({ ok: false, reason: 'type_mismatch' });
  });
});

describe('tampering in transit', () => {
  type Edit = (response: AuthenticationResponseJSON) => AuthenticationResponseJSON;
  const field =
    (name: 'signature' | 'authenticatorData' | 'clientDataJSON', change: (value: string) => string): Edit =>
    (r) => ({ ...r, response: { ...r.response, [name]: change(r.response[name]) } });

  it.each<[string, Edit]>([
    ['a byte in the middle of the signature', field('signature', (v) => flipByte(v, 20))],
    ['the last byte of the signature', field('signature', (v) => flipByte(v, -1))],
    ['a truncated signature', field('signature', (v) => tamper(v, (b) => b.subarray(0, 10)))],
    ['the UV flag changed after signing', field('authenticatorData', (v) => tamper(v, (b) => void (b[32] = b[32]! ^ 0x04)))],
    ['the counter changed after signing', field('authenticatorData', (v) => flipByte(v, 35))],
    ['an extra field in clientDataJSON', field('clientDataJSON', (v) => editClientData(v, (d) => void (d.extra = 1)))],
  ])('refuses %s (signature_invalid), and keeps the counter', async (_label, edit) => {
    const { user, authenticator } = await userWithPasskey();
    const before = await storedCredential(user.id);
    const { result, context, secrets } = await assert(authenticator, 'authentication', null, { edit });
    expect(result).toEqual({ ok: false, reason: 'signature_invalid' });
    await expectFailureAudited(database, context, { purpose: 'authentication', reason: 'signature_invalid', userId: user.id }, secrets);
    expect(await storedCredential(user.id)).toEqual(before);
  });

  it('refuses a client data challenge swapped for another (challenge_mismatch)', async () => {
    const { user, authenticator } = await userWithPasskey();
    const other = await authenticationOptions('second_factor', user.id);
    const swapChallenge = (value: string) => editClientData(value, (d) => void (d.challenge = other.options.challenge));
    const { result } = await assert(authenticator, 'second_factor', user.id, {
      edit: (r) => ({ ...r, response: { ...r.response, clientDataJSON: swapChallenge(r.response.clientDataJSON) } }),
    });
    expect(result).toEqual({ ok: false, reason: 'challenge_mismatch' });
  });

  it('refuses a signature made with another passkey’s key (credential ID swapped)', async () => {
    const victim = await userWithPasskey();
    const attacker = await userWithPasskey();
    const victimId = victim.authenticator.credentials[0]!.id.toString('base64url');
    const { result, context } = await assert(attacker.authenticator, 'authentication', null, {
      overrides: { userHandle: Buffer.from(victim.user.id).toString('base64url') },
      edit: (r) => ({ ...r, id: victimId, rawId: victimId }),
    });
    expect(result).toEqual({ ok: false, reason: 'signature_invalid' });
    await expectFailureAudited(database, context, { purpose: 'authentication', reason: 'signature_invalid', userId: victim.user.id });
  });

  it('refuses an assertion without user presence', async () => {
    const { authenticator } = await userWithPasskey();
    expect((await assert(authenticator, 'authentication', null, { overrides: { flags: { up: false } } })).result).toEqual({
      ok: false,
      reason: 'user_not_present',
    });
    expect((await register(await newUser(), { flags: { up: false } })).result).toEqual({ ok: false, reason: 'user_not_present' });
  });

  it('refuses impossible flags: backed up but not backup-eligible', async () => {
    const { authenticator } = await userWithPasskey();
    expect((await assert(authenticator, 'authentication', null, { overrides: { flags: { be: false, bs: true } } })).result).toEqual({
      ok: false,
      reason: 'invalid_flags',
    });
    expect((await register(await newUser(), { flags: { be: false, bs: true } })).result).toEqual({ ok: false, reason: 'invalid_flags' });
  });
});

describe('someone else’s or an unknown credential', () => {
  it('refuses an unknown credential', async () => {
    const authenticator = newAuthenticator();
    await registrationOptions(await newUser()).then(({ options }) => authenticator.register(options));
    const { result, context, secrets } = await assert(authenticator, 'authentication', null);
    expect(result).toEqual({ ok: false, reason: 'unknown_credential' });
    await expectFailureAudited(database, context, { purpose: 'authentication', reason: 'unknown_credential', userId: null }, secrets);
  });

  it('refuses another user’s valid passkey as the second factor, and leaves it untouched', async () => {
    const victim = await userWithPasskey();
    const attacker = await userWithPasskey();
    const before = await storedCredential(attacker.user.id);
    const { result, context, secrets } = await assert(attacker.authenticator, 'second_factor', victim.user.id, {
      overrides: { credential: attacker.authenticator.credentials[0]! },
    });
    expect(result).toEqual({ ok: false, reason: 'credential_not_allowed' });
    const event = await expectFailureAudited(database, context, { purpose: 'second_factor', reason: 'credential_not_allowed', userId: victim.user.id }, secrets);
    expect(event.details).not.toHaveProperty('passkeyId');
    expect(await storedCredential(attacker.user.id)).toEqual(before);
  });

  it('refuses a passwordless assertion whose user handle names someone else, or nobody', async () => {
    const victim = await userWithPasskey();
    const attacker = await userWithPasskey();
    const otherHandle = Buffer.from(victim.user.id).toString('base64url');
    for (const userHandle of [otherHandle, null]) {
      const { result, context } = await assert(attacker.authenticator, 'authentication', null, { overrides: { userHandle } });
      expect(result).toEqual({ ok: false, reason: 'user_handle_mismatch' });
      await expectFailureAudited(database, context, { purpose: 'authentication', reason: 'user_handle_mismatch', userId: attacker.user.id });
    }
    const { result } = await assert(attacker.authenticator, 'second_factor', attacker.user.id, { overrides: { userHandle: otherHandle } });
    expect(result).toEqual({ ok: false, reason: 'user_handle_mismatch' });
  });
});

describe('cloned authenticator: the signature counter', () => {
  it.each([
    ['repeats', 5],
    ['goes back', 3],
    ['drops to 0', 0],
  ])('refuses a correctly signed assertion whose counter %s, audits counter_regressed, keeps the stored counter', async (_label, counter) => {
    const { user, authenticator, passkey } = await userWithPasskey();
    expect((await assert(authenticator, 'authentication', null, { overrides: { counter: 5 } })).result).toMatchObject({ ok: true });
    const before = await storedCredential(user.id);
    expect(before).toMatchObject([{ counter: '5' }]);
    const { result, context, secrets } = await assert(authenticator, 'authentication', null, { overrides: { counter } });
    expect(result).toEqual({ ok: false, reason: 'counter_regressed' });
    const event = await expectFailureAudited(database, context, { purpose: 'authentication', reason: 'counter_regressed', userId: user.id }, secrets);
    expect(event.details).toMatchObject({ passkeyId: passkey.id, storedCounter: 5, receivedCounter: counter });
    expect(await storedCredential(user.id)).toEqual(before);
  });

  it('refuses a regressed counter on a forged signature as a bad signature, not as a clone', async () => {
    const { user, authenticator } = await userWithPasskey();
    await assert(authenticator, 'authentication', null, { overrides: { counter: 5 } });
    const { result } = await assert(authenticator, 'second_factor', user.id, {
      overrides: { counter: 2 },
      edit: (r) => ({ ...r, response: { ...r.response, signature: flipByte(r.response.signature, 20) } }),
    });
    expect(result).toEqual({ ok: false, reason: 'signature_invalid' });
  });

  it('of two concurrent assertions with the same counter, at most one is accepted', async () => {
    const { authenticator } = await userWithPasskey();
    const ceremonies = await Promise.all([1, 2].map(() => authenticationOptions('authentication', null)));
    const responses = ceremonies.map(({ options }) => authenticator.authenticate(options, { counter: 9 }));
    const results = await Promise.all(
      ceremonies.map(({ ceremonyToken }, i) => verifyAuthentication('authentication', ceremonyToken, responses[i], null, testContext())),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok)).toEqual([{ ok: false, reason: 'counter_regressed' }]);
  });

  it('refuses a passkey whose backup eligibility changed (a device-bound key cannot become synced)', async () => {
    const { authenticator } = await userWithPasskey();
    expect((await assert(authenticator, 'authentication', null, { overrides: { flags: { be: true } } })).result).toEqual({
      ok: false,
      reason: 'backup_eligibility_changed',
    });
  });
});

describe('forged registrations', () => {
  it('refuses a credential ID the attestation does not contain', async () => {
    const user = await newUser();
    const other = Buffer.alloc(32, 7).toString('base64url');
    const { result } = await register(user, {}, (r) => ({ ...r, id: other, rawId: other }));
    expect(result).toEqual({ ok: false, reason: 'malformed_response' });
  });

  it('refuses credential IDs over 1023 bytes and accepts 1023', async () => {
    expect((await register(await newUser(), { credentialIdLength: 1024 })).result).toEqual({ ok: false, reason: 'malformed_response' });
    expect((await register(await newUser(), { credentialIdLength: 1023 })).result).toMatchObject({ ok: true });
  });

  it('refuses an attestation "none" that carries a statement, or an unknown format', async () => {
    const user = await newUser();
    for (const [fmt, attStmt] of [
      ['none', new Map([['sig', new Uint8Array(8)]])],
      ['made-up', new Map()],
      ['packed', new Map()],
    ] as const) {
      const { result } = await register(user, {}, (r) => {
        const decoded = isoCBOR.decodeFirst<Map<string, Uint8Array>>(Buffer.from(r.response.attestationObject, 'base64url'));
        const forged = new Map<string, string | Uint8Array | Map<string, Uint8Array>>([
          ['fmt', fmt],
          ['attStmt', attStmt],
          ['authData', decoded.get('authData')!],
        ]);
        return { ...r, response: { ...r.response, attestationObject: Buffer.from(isoCBOR.encode(forged)).toString('base64url') } };
      });
      expect(result, fmt).toEqual({ ok: false, reason: 'attestation_invalid' });
    }
    expect(await storedCredential(user.id)).toEqual([]);
  });

  it('refuses authenticator data whose public key is not CBOR', async () => {
    const user = await newUser();
    const { result, context, secrets } = await register(user, {}, (r) => {
      const decoded = isoCBOR.decodeFirst<Map<string, Uint8Array>>(Buffer.from(r.response.attestationObject, 'base64url'));
      const authData = Buffer.from(decoded.get('authData')!);
      const coseStart = 37 + 16 + 2 + authData.readUInt16BE(53);
      authData[coseStart] = 0xff; // a CBOR "break" where the COSE key's map should start
      decoded.set('authData', Uint8Array.from(authData));
      return { ...r, response: { ...r.response, attestationObject: Buffer.from(isoCBOR.encode(decoded)).toString('base64url') } };
    });
    expect(result).toEqual({ ok: false, reason: 'malformed_response' });
    await expectFailureAudited(database, context, { purpose: 'registration', reason: 'malformed_response', userId: user.id }, secrets);
    expect(await storedCredential(user.id)).toEqual([]);
  });
});
