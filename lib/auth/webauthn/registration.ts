import 'server-only';
import { generateRegistrationOptions, verifyRegistrationResponse, type PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server';
import { decodeAttestationObject, parseAuthenticatorData } from '@simplewebauthn/server/helpers';
import type { AuditContext } from '../../audit/events';
import { recordAuditEvent } from '../../audit/record';
import { constantTimeEqual } from '../../crypto/hash';
import { db } from '../../db/client';
import { insertPasskey, listPasskeyDescriptors } from '../../db/webauthn';
import { auditPasskeyFailure } from './audit';
import { checkAuthenticatorData } from './authenticator-data';
import { startCeremony, takeCeremony, type CeremonyFailure } from './ceremonies';
import { checkClientData, type ClientDataFailure } from './client-data';
import { defaultPasskeyNickname, parsePasskeyNickname } from './nickname';
import { toPasskeySummary, type PasskeySummary } from './passkeys';
import { CEREMONY_TTL_MS, SUPPORTED_ALGORITHM_IDS, webauthnRelyingParty } from './relying-party';
import { parseRegistrationResponse, type ResponseFailure } from './response';
import { userHandleOf } from './user-handle';

export type RegistrationFailure =
  | CeremonyFailure
  | ResponseFailure
  | ClientDataFailure
  | 'invalid_nickname'
  | 'rp_id_mismatch'
  | 'user_not_present'
  | 'invalid_flags'
  | 'attestation_invalid'
  | 'already_registered';

export type RegistrationResult = { ok: true; credential: PasskeySummary } | { ok: false; reason: RegistrationFailure };

/**
 * Options for navigator.credentials.create(): a discoverable credential (residentKey required,
 * so the passkey also signs in without a password), user verification preferred, no
 * attestation, and the user's passkeys excluded so one authenticator is not registered twice.
 * The returned token identifies the ceremony; the caller keeps it in an HttpOnly cookie.
 */
export async function registrationOptions(
  user: { id: string; email: string; name: string },
  now = new Date(),
): Promise<{ options: PublicKeyCredentialCreationOptionsJSON; ceremonyToken: string }> {
  const rp = webauthnRelyingParty();
  const existing = await listPasskeyDescriptors(user.id);
  const options = await generateRegistrationOptions({
    rpName: rp.rpName,
    rpID: rp.rpID,
    userID: userHandleOf(user.id),
    userName: user.email,
    userDisplayName: user.name,
    timeout: CEREMONY_TTL_MS,
    attestationType: 'none',
    excludeCredentials: existing.map((passkey) => ({
      id: Buffer.from(passkey.credentialId).toString('base64url'),
      ...(passkey.transports.length > 0 ? { transports: passkey.transports } : {}),
    })),
    authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'preferred' },
    supportedAlgorithmIDs: SUPPORTED_ALGORITHM_IDS,
  });
  const ceremonyToken = await startCeremony('registration', user.id, options.challenge, now);
  return { options, ceremonyToken };
}

/**
 * Verifies the browser's answer to registrationOptions and stores the passkey. `response` and
 * `nickname` are whatever the browser sent: every problem with them is `{ ok: false, reason }`
 * and an auth.factor_verified failure, never an exception. The ceremony is consumed by any
 * attempt that gets past the nickname check (a bad nickname can be corrected and resent).
 */
export async function verifyRegistration(
  userId: string,
  ceremonyToken: string | undefined,
  response: unknown,
  nickname: unknown,
  context: AuditContext,
  now = new Date(),
): Promise<RegistrationResult> {
  const fail = async (reason: RegistrationFailure): Promise<RegistrationResult> => {
    await auditPasskeyFailure({ purpose: 'registration', userId, reason, context });
    return { ok: false, reason };
  };

  const name = parsePasskeyNickname(nickname, defaultPasskeyNickname(now));
  if (!name.ok) return fail(name.reason);
  const ceremony = await takeCeremony(ceremonyToken, { purpose: 'registration', userId }, now);
  if (!ceremony.ok) return fail(ceremony.reason);
  const parsed = parseRegistrationResponse(response);
  if (!parsed.ok) return fail(parsed.reason);
  const { json, credentialId, clientDataJSON, attestationObject, transports } = parsed.value;

  const rp = webauthnRelyingParty();
  const clientData = checkClientData(clientDataJSON, { type: 'webauthn.create', challenge: ceremony.challenge, origin: rp.origin });
  if (!clientData.ok) return fail(clientData.reason);
  const attested = readAttestedCredential(attestationObject);
  if (!attested) return fail('malformed_response');
  const authenticatorData = checkAuthenticatorData(attested.authData, rp.rpID);
  if (!authenticatorData.ok) return fail(authenticatorData.reason);
  // The ID the browser reports must be the one the authenticator attested.
  if (!constantTimeEqual(attested.credentialId, credentialId)) return fail('malformed_response');

  const verified = await verifyAttestation(json, ceremony.challenge, rp.origin, rp.rpID);
  if (!verified) return fail('attestation_invalid');
  const { flags } = authenticatorData.head;

  const stored = await db().$transaction(async (tx) => {
    const row = await insertPasskey(
      {
        userId,
        credentialId,
        publicKey: Uint8Array.from(verified.credential.publicKey),
        counter: verified.credential.counter,
        transports,
        backupEligible: flags.backupEligible,
        backedUp: flags.backedUp,
        aaguid: verified.aaguid,
        nickname: name.nickname,
        createdAt: now,
      },
      tx,
    );
    if (!row) return null;
    await recordAuditEvent(
      {
        type: 'mfa.passkey_registered',
        outcome: 'success',
        actorUserId: userId,
        subject: userId,
        details: {
          passkeyId: row.id,
          nickname: row.nickname,
          deviceType: flags.backupEligible ? 'synced' : 'device-bound',
          aaguid: verified.aaguid,
          userVerified: flags.userVerified,
        },
        context,
      },
      tx,
    );
    return row;
  });
  if (!stored) return fail('already_registered');
  return { ok: true, credential: toPasskeySummary(stored) };
}

/** The authenticator data and the credential ID inside an attestation object, or null when it is not one. */
function readAttestedCredential(attestationObject: Uint8Array): { authData: Uint8Array; credentialId: Uint8Array } | null {
  try {
    const authData: unknown = decodeAttestationObject(Uint8Array.from(attestationObject)).get('authData');
    if (!(authData instanceof Uint8Array)) return null;
    const { credentialID } = parseAuthenticatorData(Uint8Array.from(authData));
    return credentialID ? { authData, credentialId: credentialID } : null;
  } catch {
    return null;
  }
}

/**
 * SimpleWebAuthn's verification: attestation statement, public key and algorithm, and again the
 * checks done above. Its errors are messages, not codes; every one of them is a response we
 * refuse, so all map to `attestation_invalid`.
 */
async function verifyAttestation(
  response: Parameters<typeof verifyRegistrationResponse>[0]['response'],
  challenge: string,
  origin: string,
  rpID: string,
) {
  try {
    const result = await verifyRegistrationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: origin,
      expectedRPID: rpID,
      requireUserPresence: true,
      requireUserVerification: false,
      supportedAlgorithmIDs: SUPPORTED_ALGORITHM_IDS,
    });
    return result.verified ? result.registrationInfo : null;
  } catch {
    return null;
  }
}
