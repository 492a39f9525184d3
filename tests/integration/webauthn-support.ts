import { expect } from 'vitest';
import type { AuditContext } from '../../lib/audit/events';
import { createUser, type PublicUser } from '../../lib/auth/accounts';
import { authenticationOptions, registrationOptions, verifyAuthentication, verifyRegistration, type PasskeySummary } from '../../lib/auth/webauthn';
import type { TestDatabase } from '../support/database';
import { GOOD_PASSWORD, testContext, uniqueEmail } from '../support/context';
import { SoftwareAuthenticator, type AuthenticatorSettings, type RegistrationOverrides } from '../support/software-authenticator';

/** Shared by the WebAuthn integration tests; the issuer every one of them runs under. */
export const ISSUER = 'https://id.example.test';
export const RP_ID = 'id.example.test';
export const MINUTE = 60_000;

export async function newUser(): Promise<PublicUser> {
  const result = await createUser({ email: uniqueEmail('passkey'), password: GOOD_PASSWORD, name: 'Pat Key' }, testContext(), 'sign_up');
  if (!result.ok) throw new Error('sign-up failed');
  return result.user;
}

export function newAuthenticator(settings: Partial<AuthenticatorSettings> = {}): SoftwareAuthenticator {
  return new SoftwareAuthenticator({ origin: ISSUER, ...settings });
}

/** Registers a passkey for the user through the whole ceremony; fails the test if it is refused. */
export async function registerPasskey(
  user: PublicUser,
  authenticator: SoftwareAuthenticator,
  { nickname, overrides }: { nickname?: unknown; overrides?: RegistrationOverrides } = {},
): Promise<PasskeySummary> {
  const { options, ceremonyToken } = await registrationOptions(user);
  const result = await verifyRegistration(user.id, ceremonyToken, authenticator.register(options, overrides), nickname, testContext());
  if (!result.ok) throw new Error(`registration refused: ${result.reason}`);
  return result.credential;
}

/** A user with one registered passkey, and the authenticator that holds it. */
export async function userWithPasskey(settings: Partial<AuthenticatorSettings> = {}) {
  const user = await newUser();
  const authenticator = newAuthenticator(settings);
  const passkey = await registerPasskey(user, authenticator);
  return { user, authenticator, passkey };
}

/** Runs a passwordless sign-in or a second-factor check end to end. */
export async function signIn(
  authenticator: SoftwareAuthenticator,
  purpose: 'authentication' | 'second_factor',
  userId: string | null,
  context: AuditContext = testContext(),
) {
  const { options, ceremonyToken } = await authenticationOptions(purpose, userId);
  return verifyAuthentication(purpose, ceremonyToken, authenticator.authenticate(options), userId, context);
}

export interface AuditRow {
  type: string;
  outcome: string;
  actor_user_id: string | null;
  subject: string | null;
  details: Record<string, unknown>;
}

/** The audit events written under one request id (each testContext() has its own). */
export function auditEventsOf(database: TestDatabase, context: AuditContext): Promise<AuditRow[]> {
  return database.sql<AuditRow>(
    'SELECT type, outcome, actor_user_id, subject, details FROM audit_events WHERE request_id = $1 ORDER BY seq',
    [context.requestId],
  );
}

/**
 * Asserts that exactly one auth.factor_verified failure with this reason was written under the
 * context, and that none of `secrets` (ceremony tokens, challenges, signatures…) appears in it.
 */
export async function expectFailureAudited(
  database: TestDatabase,
  context: AuditContext,
  expected: { purpose: string; reason: string; userId?: string | null },
  secrets: string[] = [],
): Promise<AuditRow> {
  const events = await auditEventsOf(database, context);
  expect(events).toHaveLength(1);
  const [event] = events;
  expect(event).toMatchObject({
    type: 'auth.factor_verified',
    outcome: 'failure',
    details: { method: 'passkey', purpose: expected.purpose, reason: expected.reason },
  });
  if (expected.userId !== undefined) expect(event!.actor_user_id).toBe(expected.userId);
  const stored = JSON.stringify(event);
  for (const secret of secrets) expect(stored).not.toContain(secret);
  return event!;
}
