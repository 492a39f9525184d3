/**
 * The RFC 8176 `amr` values one verified passkey assertion proves, read from its authenticator
 * data flags (WebAuthn §6.1):
 * - `hwk` for a device-bound key (BE clear: the private key cannot leave the authenticator),
 *   `swk` for a synced one (BE set: a passkey provider may copy it to other devices);
 * - `user` when the authenticator tested the user's presence (UP);
 * - `pin` when it verified the user (UV: a PIN or a biometric; the flag does not say which).
 * Combining them with other methods (and adding `mfa`) is lib/auth/authentication-methods.ts's job.
 */
export interface PasskeyAssertionFlags {
  backupEligible: boolean;
  userPresent: boolean;
  userVerified: boolean;
}

export function passkeyAmr(flags: PasskeyAssertionFlags): string[] {
  const amr = [flags.backupEligible ? 'swk' : 'hwk'];
  if (flags.userPresent) amr.push('user');
  if (flags.userVerified) amr.push('pin');
  return amr;
}
