import 'server-only';
import { queryFirstRow } from './client';

/**
 * Whether the user has a factor beyond the password: a confirmed authenticator app or a
 * passkey. One statement through the driver, since every password sign-in asks.
 */
export async function hasTotpOrPasskey(userId: string): Promise<boolean> {
  const row = await queryFirstRow<{ has: boolean }>(
    'optare.has_second_factor',
    `SELECT EXISTS (SELECT 1 FROM "totp_factors" WHERE "user_id" = $1::uuid AND "confirmed_at" IS NOT NULL)
         OR EXISTS (SELECT 1 FROM "webauthn_credentials" WHERE "user_id" = $1::uuid) AS "has"`,
    [userId],
  );
  return row?.has === true;
}
