import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticationOptions, registrationOptions, verifyAuthentication, verifyRegistration } from '../../lib/auth/webauthn';
import { randomToken } from '../../lib/crypto/random';
import { sha256 } from '../../lib/crypto/hash';
import { openTestDatabase, type TestDatabase } from '../support/database';
import { useTestConfig } from '../support/config';
import { testContext } from '../support/context';
import { expectFailureAudited, ISSUER, MINUTE, newAuthenticator, newUser, userWithPasskey } from './webauthn-support';

/**
 * A WebAuthn challenge answers one verification, for the purpose and the user it was issued for,
 * within 5 minutes. A captured response (or a ceremony token stolen from a cookie) is worth
 * nothing afterwards.
 */

let database: TestDatabase;
beforeAll(async () => {
  useTestConfig({ OPTARE_ISSUER: ISSUER });
  database = await openTestDatabase();
});
afterAll(() => database.close());

const SECOND = 1000;

describe('single use', () => {
  it('a passwordless assertion replayed with the same ceremony token fails, and is audited', async () => {
    const { user, authenticator } = await userWithPasskey();
    const { options, ceremonyToken } = await authenticationOptions('authentication', null);
    const response = authenticator.authenticate(options);
    expect(await verifyAuthentication('authentication', ceremonyToken, response, null, testContext())).toMatchObject({ ok: true, userId: user.id });
    const context = testContext();
    expect(await verifyAuthentication('authentication', ceremonyToken, response, null, context)).toEqual({ ok: false, reason: 'ceremony_not_found' });
    await expectFailureAudited(database, context, { purpose: 'authentication', reason: 'ceremony_not_found', userId: null }, [
      ceremonyToken,
      options.challenge,
      response.response.signature,
    ]);
  });

  it('a registration response replayed with the same ceremony token fails', async () => {
    const user = await newUser();
    const { options, ceremonyToken } = await registrationOptions(user);
    const response = newAuthenticator().register(options);
    expect(await verifyRegistration(user.id, ceremonyToken, response, 'Key', testContext())).toMatchObject({ ok: true });
    const context = testContext();
    expect(await verifyRegistration(user.id, ceremonyToken, response, 'Key', context)).toEqual({ ok: false, reason: 'ceremony_not_found' });
    await expectFailureAudited(database, context, { purpose: 'registration', reason: 'ceremony_not_found', userId: user.id }, [ceremonyToken]);
  });

  it('a failed attempt burns the ceremony too: no second try at the same challenge', async () => {
    const { user, authenticator } = await userWithPasskey();
    const { options, ceremonyToken } = await authenticationOptions('second_factor', user.id);
    const wrong = authenticator.authenticate(options, { origin: 'https://evil.example' });
    expect(await verifyAuthentication('second_factor', ceremonyToken, wrong, user.id, testContext())).toEqual({ ok: false, reason: 'origin_mismatch' });
    const right = authenticator.authenticate(options);
    expect(await verifyAuthentication('second_factor', ceremonyToken, right, user.id, testContext())).toEqual({ ok: false, reason: 'ceremony_not_found' });
  });

  it('of two concurrent verifications with one token, exactly one succeeds', async () => {
    const { authenticator } = await userWithPasskey();
    const { options, ceremonyToken } = await authenticationOptions('authentication', null);
    const response = authenticator.authenticate(options);
    const results = await Promise.all([1, 2, 3].map(() => verifyAuthentication('authentication', ceremonyToken, response, null, testContext())));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok)).toEqual([
      { ok: false, reason: 'ceremony_not_found' },
      { ok: false, reason: 'ceremony_not_found' },
    ]);
  });

  it('a response made for one ceremony does not pass under another ceremony’s token', async () => {
    const { authenticator } = await userWithPasskey();
    const first = await authenticationOptions('authentication', null);
    const second = await authenticationOptions('authentication', null);
    const response = authenticator.authenticate(first.options);
    const context = testContext();
    expect(await verifyAuthentication('authentication', second.ceremonyToken, response, null, context)).toEqual({ ok: false, reason: 'challenge_mismatch' });
    await expectFailureAudited(database, context, { purpose: 'authentication', reason: 'challenge_mismatch' }, [
      first.options.challenge,
      second.options.challenge,
      second.ceremonyToken,
    ]);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['short', 'abc'],
    ['unknown', randomToken(32)],
    ['SQL', "' OR 1=1 --"],
    ['non-ASCII', 'é'.repeat(43)],
  ])('a %s ceremony token fails without effect', async (_label, token) => {
    const { authenticator } = await userWithPasskey();
    const { options } = await authenticationOptions('authentication', null);
    const context = testContext();
    expect(await verifyAuthentication('authentication', token, authenticator.authenticate(options), null, context)).toEqual({
      ok: false,
      reason: 'ceremony_not_found',
    });
    await expectFailureAudited(database, context, { purpose: 'authentication', reason: 'ceremony_not_found' });
  });
});

describe('expiry', () => {
  it('a ceremony answered 5 minutes and 1 second later fails, and is gone', async () => {
    const { authenticator } = await userWithPasskey();
    const start = new Date();
    const { options, ceremonyToken } = await authenticationOptions('authentication', null, start);
    const context = testContext();
    const late = new Date(start.getTime() + 5 * MINUTE + SECOND);
    expect(await verifyAuthentication('authentication', ceremonyToken, authenticator.authenticate(options), null, context, late)).toEqual({
      ok: false,
      reason: 'ceremony_expired',
    });
    await expectFailureAudited(database, context, { purpose: 'authentication', reason: 'ceremony_expired' });
    expect(await database.sql('SELECT 1 FROM webauthn_challenges WHERE id_hash = $1', [Buffer.from(sha256(ceremonyToken))])).toHaveLength(0);
  });

  it('a ceremony answered within 5 minutes passes', async () => {
    const { user, authenticator } = await userWithPasskey();
    const start = new Date();
    const { options, ceremonyToken } = await authenticationOptions('second_factor', user.id, start);
    const inTime = new Date(start.getTime() + 5 * MINUTE - SECOND);
    expect(await verifyAuthentication('second_factor', ceremonyToken, authenticator.authenticate(options), user.id, testContext(), inTime)).toMatchObject({
      ok: true,
    });
  });

  it('an expired registration ceremony registers nothing', async () => {
    const user = await newUser();
    const start = new Date();
    const { options, ceremonyToken } = await registrationOptions(user, start);
    const context = testContext();
    const late = new Date(start.getTime() + 5 * MINUTE + SECOND);
    expect(await verifyRegistration(user.id, ceremonyToken, newAuthenticator().register(options), 'Key', context, late)).toEqual({
      ok: false,
      reason: 'ceremony_expired',
    });
    await expectFailureAudited(database, context, { purpose: 'registration', reason: 'ceremony_expired', userId: user.id });
    expect(await database.sql('SELECT 1 FROM webauthn_credentials WHERE user_id = $1', [user.id])).toHaveLength(0);
  });
});

describe('bound to its purpose and user', () => {
  it('a passwordless ceremony does not verify a second factor, nor the reverse', async () => {
    const { user, authenticator } = await userWithPasskey();
    const passwordless = await authenticationOptions('authentication', null);
    const context = testContext();
    expect(
      await verifyAuthentication('second_factor', passwordless.ceremonyToken, authenticator.authenticate(passwordless.options), user.id, context),
    ).toEqual({ ok: false, reason: 'ceremony_mismatch' });
    await expectFailureAudited(database, context, { purpose: 'second_factor', reason: 'ceremony_mismatch', userId: user.id });

    const secondFactor = await authenticationOptions('second_factor', user.id);
    expect(
      await verifyAuthentication('authentication', secondFactor.ceremonyToken, authenticator.authenticate(secondFactor.options), null, testContext()),
    ).toEqual({ ok: false, reason: 'ceremony_mismatch' });
  });

  it('a registration ceremony does not verify a sign-in, nor the reverse', async () => {
    const { user, authenticator } = await userWithPasskey();
    const registration = await registrationOptions(user);
    const assertion = authenticator.authenticate({ challenge: registration.options.challenge, rpId: registration.options.rp.id });
    expect(await verifyAuthentication('authentication', registration.ceremonyToken, assertion, null, testContext())).toEqual({
      ok: false,
      reason: 'ceremony_mismatch',
    });

    const signIn = await authenticationOptions('authentication', null);
    const creation = newAuthenticator().register({ ...registration.options, challenge: signIn.options.challenge });
    expect(await verifyRegistration(user.id, signIn.ceremonyToken, creation, 'Key', testContext())).toEqual({ ok: false, reason: 'ceremony_mismatch' });
  });

  it('a second-factor ceremony issued for one user does not verify for another', async () => {
    const alice = await userWithPasskey();
    const bob = await userWithPasskey();
    const { options, ceremonyToken } = await authenticationOptions('second_factor', alice.user.id);
    const context = testContext();
    const response = bob.authenticator.authenticate({ ...options, allowCredentials: [] });
    expect(await verifyAuthentication('second_factor', ceremonyToken, response, bob.user.id, context)).toEqual({
      ok: false,
      reason: 'ceremony_mismatch',
    });
    await expectFailureAudited(database, context, { purpose: 'second_factor', reason: 'ceremony_mismatch', userId: bob.user.id });
  });

  it('a registration ceremony issued for one user does not register a passkey for another', async () => {
    const alice = await newUser();
    const mallory = await newUser();
    const { options, ceremonyToken } = await registrationOptions(alice);
    expect(await verifyRegistration(mallory.id, ceremonyToken, newAuthenticator().register(options), 'Key', testContext())).toEqual({
      ok: false,
      reason: 'ceremony_mismatch',
    });
    expect(await database.sql('SELECT 1 FROM webauthn_credentials WHERE user_id = ANY($1::uuid[])', [[alice.id, mallory.id]])).toHaveLength(0);
  });
});
