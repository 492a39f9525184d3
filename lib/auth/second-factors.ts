import 'server-only';
import { hasTotpOrPasskey } from '../db/second-factors';
import { remainingRecoveryCodes } from './recovery-codes';
import { hasConfirmedTotp } from './totp';
import { countPasskeys } from './webauthn';

/** The second factors a user can present, for the sign-in's second step and the account page. */
export interface SecondFactors {
  totp: boolean;
  passkeys: number;
  recoveryCodes: number;
}

export async function secondFactorsOf(userId: string): Promise<SecondFactors> {
  const [totp, passkeys, recoveryCodes] = await Promise.all([hasConfirmedTotp(userId), countPasskeys(userId), remainingRecoveryCodes(userId)]);
  return { totp, passkeys, recoveryCodes };
}

/** A factor beyond the password: an authenticator app or a passkey (recovery codes only back those up). */
export function hasSecondFactor(userId: string): Promise<boolean> {
  return hasTotpOrPasskey(userId);
}
