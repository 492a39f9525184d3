import 'server-only';
import { generateAuthenticationOptions, verifyAuthenticationResponse, type PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import type { AuditContext } from '../../audit/events';
import { db } from '../../db/client';
import { findPasskeyByCredentialId, listPasskeyDescriptors, recordPasskeyUse, type StoredPasskeyForVerification } from '../../db/webauthn';
import { passkeyAmr } from './amr';
import { auditPasskeyFailure, auditPasskeySuccess } from './audit';
import { checkAuthenticatorData } from './authenticator-data';
import { startCeremony, takeCeremony, type CeremonyFailure } from './ceremonies';
import { checkClientData, type ClientDataFailure } from './client-data';
import { counterRegressed } from './counter';
import { CEREMONY_TTL_MS, webauthnRelyingParty } from './relying-party';
import { parseAuthenticationResponse, type ParsedAssertion, type ResponseFailure } from './response';
import { isUserHandleOf } from './user-handle';

/** 'authentication': passwordless sign-in, the passkey names the user. 'second_factor': after the password, for a known user. */
export type AuthenticationPurpose = 'authentication' | 'second_factor';

export type AuthenticationFailure =
  | CeremonyFailure
  | ResponseFailure
  | ClientDataFailure
  | 'rp_id_mismatch'
  | 'user_not_present'
  | 'invalid_flags'
  | 'unknown_credential'
  | 'credential_not_allowed'
  | 'user_handle_mismatch'
  | 'signature_invalid'
  | 'backup_eligibility_changed'
  | 'counter_regressed'
  | 'account_disabled';

export type AuthenticationResult =
  | {
      ok: true;
      userId: string;
      /** The WebAuthn credential ID, base64url (what the browser knows the passkey by). */
      credentialId: string;
      /** The passkey's row id (what listPasskeys, renamePasskey and deletePasskey take). */
      passkeyId: string;
      /** RFC 8176 methods this assertion proves: hwk or swk, user, pin. */
      amr: string[];
    }
  | { ok: false; reason: AuthenticationFailure };

/**
 * Options for navigator.credentials.get(). Passwordless ('authentication', no user): an empty
 * allowCredentials, so the browser offers the discoverable passkeys it has for this site. Second
 * factor: the user's own passkeys. Calling with a user for passwordless, or without one for a
 * second factor, is a programming error and throws.
 */
export async function authenticationOptions(
  purpose: AuthenticationPurpose,
  userId: string | null,
  now = new Date(),
): Promise<{ options: PublicKeyCredentialRequestOptionsJSON; ceremonyToken: string }> {
  if ((purpose === 'authentication') !== (userId === null)) {
    throw new TypeError(`a WebAuthn ${purpose} ceremony ${userId === null ? 'needs' : 'takes no'} user`);
  }
  const rp = webauthnRelyingParty();
  const allowCredentials = userId === null ? [] : await listPasskeyDescriptors(userId);
  const options = await generateAuthenticationOptions({
    rpID: rp.rpID,
    allowCredentials: allowCredentials.map((passkey) => ({
      id: Buffer.from(passkey.credentialId).toString('base64url'),
      ...(passkey.transports.length > 0 ? { transports: passkey.transports } : {}),
    })),
    userVerification: 'preferred',
    timeout: CEREMONY_TTL_MS,
  });
  const ceremonyToken = await startCeremony(purpose, userId, options.challenge, now);
  return { options, ceremonyToken };
}

/**
 * Verifies the browser's answer to authenticationOptions: the ceremony (single use, 5 minutes,
 * same purpose and user), the client data (type, challenge, origin), the authenticator data (RP
 * ID, user presence), that the passkey exists and may be used here, its signature, and that its
 * counter moved forward. `response` is whatever the browser sent: every problem with it is
 * `{ ok: false, reason }` and an auth.factor_verified failure, never an exception.
 *
 * For a second factor, `expectedUserId` is the user who passed the password step and the passkey
 * must be theirs; for passwordless sign-in it is null and the passkey names the user.
 */
export async function verifyAuthentication(
  purpose: AuthenticationPurpose,
  ceremonyToken: string | undefined,
  response: unknown,
  expectedUserId: string | null,
  context: AuditContext,
  now = new Date(),
): Promise<AuthenticationResult> {
  let auditedUser = expectedUserId;
  let passkeyId: string | null = null;
  const fail = async (reason: AuthenticationFailure, extra?: Record<string, number>): Promise<AuthenticationResult> => {
    await auditPasskeyFailure({ purpose, userId: auditedUser, passkeyId, reason, context, extra });
    return { ok: false, reason };
  };

  const ceremony = await takeCeremony(ceremonyToken, { purpose, userId: expectedUserId }, now);
  if (!ceremony.ok) return fail(ceremony.reason);
  const parsed = parseAuthenticationResponse(response);
  if (!parsed.ok) return fail(parsed.reason);
  const assertion = parsed.value;

  const rp = webauthnRelyingParty();
  const clientData = checkClientData(assertion.clientDataJSON, { type: 'webauthn.get', challenge: ceremony.challenge, origin: rp.origin });
  if (!clientData.ok) return fail(clientData.reason);
  const authenticatorData = checkAuthenticatorData(assertion.authenticatorData, rp.rpID);
  if (!authenticatorData.ok) return fail(authenticatorData.reason);
  const { flags, counter } = authenticatorData.head;

  const passkey = await findPasskeyByCredentialId(assertion.credentialId);
  if (!passkey) return fail('unknown_credential');
  if (expectedUserId !== null && passkey.userId !== expectedUserId.toLowerCase()) return fail('credential_not_allowed');
  auditedUser = passkey.userId;
  passkeyId = passkey.id;
  // §7.2 step 6: a discoverable credential names its user; that name must be the passkey's owner.
  if (assertion.userHandle ? !isUserHandleOf(assertion.userHandle, passkey.userId) : expectedUserId === null) {
    return fail('user_handle_mismatch');
  }

  if (!(await signatureVerifies(assertion, passkey, ceremony.challenge, rp.origin, rp.rpID))) return fail('signature_invalid');
  // From here on the holder of the private key produced this assertion.
  if (flags.backupEligible !== passkey.backupEligible) return fail('backup_eligibility_changed');
  const storedCounter = Number(passkey.counter);
  if (counterRegressed(storedCounter, counter)) return fail('counter_regressed', { storedCounter, receivedCounter: counter });
  if (passkey.user.disabledAt) return fail('account_disabled');

  const amr = passkeyAmr(flags);
  const recorded = await db().$transaction(async (tx) => {
    if (!(await recordPasskeyUse(passkey.id, { counter, backedUp: flags.backedUp, usedAt: now }, tx))) return false;
    await auditPasskeySuccess({ purpose, userId: passkey.userId, passkeyId: passkey.id, amr, context }, tx);
    return true;
  });
  // Another assertion with this counter (or a higher one) was recorded in between.
  if (!recorded) return fail('counter_regressed', { storedCounter, receivedCounter: counter });
  return { ok: true, userId: passkey.userId, credentialId: assertion.json.id, passkeyId: passkey.id, amr };
}

/**
 * SimpleWebAuthn checks the signature over authenticatorData || SHA-256(clientDataJSON) with the
 * stored public key (and repeats the checks above). It is given counter 0 so that it never
 * judges the counter itself: a counter is only worth judging once the signature is known to be
 * good, and counterRegressed does that after. Its errors are messages, not codes; every one is a
 * response we refuse.
 */
async function signatureVerifies(
  assertion: ParsedAssertion,
  passkey: StoredPasskeyForVerification,
  challenge: string,
  origin: string,
  rpID: string,
): Promise<boolean> {
  try {
    const result = await verifyAuthenticationResponse({
      response: assertion.json,
      expectedChallenge: challenge,
      expectedOrigin: origin,
      expectedRPID: rpID,
      credential: { id: assertion.json.id, publicKey: passkey.publicKey, counter: 0, transports: passkey.transports },
      requireUserVerification: false,
    });
    return result.verified;
  } catch {
    return false;
  }
}
