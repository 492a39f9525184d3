import 'server-only';
import { isMultiFactor } from './authentication-methods';
import { hasSecondFactor } from './second-factors';

/** How recent the session's authentication must be for sensitive changes: 10 minutes. */
export const FRESH_AUTHENTICATION_SECONDS = 10 * 60;

/** Whether the session's authentication is recent enough for a sensitive change (the time half of authenticationFreshness). */
export function isFreshlyAuthenticated(session: { authenticatedAt: Date }, now = new Date()): boolean {
  return now.getTime() - session.authenticatedAt.getTime() <= FRESH_AUTHENTICATION_SECONDS * 1000;
}

/**
 * Whether a session may make a change that needs a fresh authentication (ASVS 7.5.1, 7.5.2):
 * its last authentication within FRESH_AUTHENTICATION_SECONDS and, for a user who has a second
 * factor, with that factor. A remembered browser signs in with the
 * password alone (amr ["pwd"]): that is recent, but not a full authentication of such a user.
 *
 * - `fresh`: go ahead.
 * - `sign_in`: the last authentication is too old: sign in again, every factor.
 * - `second_factor`: recent, but without the second factor the user has: a step-up adds it.
 */
export type Freshness = 'fresh' | 'sign_in' | 'second_factor';

export interface AuthenticatedSession {
  userId: string;
  authenticatedAt: Date;
  amr: readonly string[];
}

export async function authenticationFreshness(session: AuthenticatedSession, now = new Date()): Promise<Freshness> {
  if (!isFreshlyAuthenticated(session, now)) return 'sign_in';
  if (isMultiFactor(session.amr)) return 'fresh';
  return (await hasSecondFactor(session.userId)) ? 'second_factor' : 'fresh';
}
