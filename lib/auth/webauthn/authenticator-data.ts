import { constantTimeEqual, sha256 } from '../../crypto/hash';

/**
 * The fixed 37-byte head of authenticator data (WebAuthn §6.1): rpIdHash (32), flags (1),
 * signCount (4, big-endian). Pure.
 */
export interface AuthenticatorDataHead {
  rpIdHash: Uint8Array;
  flags: {
    userPresent: boolean;
    userVerified: boolean;
    backupEligible: boolean;
    backedUp: boolean;
    attestedCredentialData: boolean;
  };
  counter: number;
}

const UP = 0x01;
const UV = 0x04;
const BE = 0x08;
const BS = 0x10;
const AT = 0x40;

export function parseAuthenticatorDataHead(data: Uint8Array): AuthenticatorDataHead | null {
  if (data.length < 37) return null;
  const flags = data[32]!;
  return {
    rpIdHash: data.subarray(0, 32),
    flags: {
      userPresent: (flags & UP) !== 0,
      userVerified: (flags & UV) !== 0,
      backupEligible: (flags & BE) !== 0,
      backedUp: (flags & BS) !== 0,
      attestedCredentialData: (flags & AT) !== 0,
    },
    counter: new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(33, false),
  };
}

export type AuthenticatorDataFailure = 'malformed_response' | 'rp_id_mismatch' | 'user_not_present' | 'invalid_flags';

/**
 * §7.1 steps 13-14 and §7.2 steps 15-16: the credential is scoped to our RP ID, and a person
 * was present. A backed-up credential that is not backup-eligible is impossible (§6.1.3).
 */
export function checkAuthenticatorData(
  data: Uint8Array,
  rpID: string,
): { ok: true; head: AuthenticatorDataHead } | { ok: false; reason: AuthenticatorDataFailure } {
  const head = parseAuthenticatorDataHead(data);
  if (!head) return { ok: false, reason: 'malformed_response' };
  if (!constantTimeEqual(head.rpIdHash, sha256(rpID))) return { ok: false, reason: 'rp_id_mismatch' };
  if (!head.flags.userPresent) return { ok: false, reason: 'user_not_present' };
  if (head.flags.backedUp && !head.flags.backupEligible) return { ok: false, reason: 'invalid_flags' };
  return { ok: true, head };
}
