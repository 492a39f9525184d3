import { InvalidGrant } from '../../errors';

export interface GrantState {
  revokedAt: Date | null;
  expiresAt: Date;
  user: { disabledAt: Date | null };
}

/** Tokens are issued only from a grant that is not revoked or expired, for a user not disabled. */
export function checkGrantActive(grant: GrantState, now: Date): void {
  if (grant.revokedAt !== null) throw new InvalidGrant('The grant has been revoked.');
  if (grant.expiresAt.getTime() <= now.getTime()) throw new InvalidGrant('The grant has expired.');
  if (grant.user.disabledAt !== null) throw new InvalidGrant('The grant has been revoked.');
}
