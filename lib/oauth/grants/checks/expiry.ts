import { InvalidGrant } from '../../errors';

/** A code or refresh token past its expiry is invalid_grant (RFC 6749 §5.2). */
export function checkNotExpired(expiresAt: Date, now: Date, what: 'authorization code' | 'refresh token'): void {
  if (expiresAt.getTime() <= now.getTime()) throw new InvalidGrant(`The ${what} is invalid, expired or revoked.`);
}
