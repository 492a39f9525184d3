import 'server-only';
import { recordAuditEvent } from '../audit/record';
import type { AuditContext } from '../audit/events';
import { db } from '../db/client';
import { deleteUserSessions } from '../db/sessions';
import { findUserPasswordHash, updateUserPasswordHash } from '../db/users';
import { notifySecurityEvent } from '../notifications/security-events';
import { revokeUserGrants } from '../oauth/grants/revoke';
import { beginSignInAttempt, signInSucceeded } from '../rate-limit/sign-in';
import { changePasswordSchema, fieldErrorsOf, PASSWORD_MIN, passwordTooShort, type FieldErrors } from '../validation/account';
import { runtimeSettings } from '../settings/runtime';
import { isCommonPassword } from './common-passwords';
import { breachedPasswordProblem } from './breached-passwords';
import { contextWordProblem } from './password-context';
import { hashPassword, verifyPassword } from './passwords';
import { forgetTrustedDevices } from './trusted-devices';

/** The session asking for the change: it stays signed in, every other one ends. */
export interface PasswordChanger {
  id: string;
  userId: string;
}

export type ChangePasswordResult =
  | { ok: true; sessionsEnded: number; grantsRevoked: number; trustedDevicesForgotten: number }
  | { ok: false; fieldErrors: FieldErrors }
  | { ok: false; error: 'wrong_password' }
  | { ok: false; error: 'rate_limited'; retryAfterSeconds: number };

const COMMON_PASSWORD_MESSAGE = 'This password is too common; choose one that is harder to guess.';
const EMAIL_PASSWORD_MESSAGE = 'The password must not be your email address.';

/**
 * Changes the signed-in user's password.
 *
 * 1. The form: the shared schema, then the sign-up policy's server checks (common passwords, not
 *    the email address).
 * 2. The current password, verified with argon2. Guesses count against the same brute-force
 *    limits as sign-in (per address, per account and address, per account); past a limit the
 *    password is not checked at all.
 * 3. In one transaction: the new hash, every other session of the user ended (this one kept),
 *    every grant revoked (refresh tokens, and access tokens through their grant), remembered
 *    browsers forgotten, and `user.password_changed` audited. Either all of it happens or none.
 * 4. The user is notified (lib/notifications/security-events.ts).
 */
export async function changePassword(
  session: PasswordChanger,
  input: unknown,
  context: AuditContext,
  now = new Date(),
): Promise<ChangePasswordResult> {
  const parsed = changePasswordSchema.safeParse(input);
  if (!parsed.success) return { ok: false, fieldErrors: fieldErrorsOf(parsed.error) };
  const { currentPassword, newPassword } = parsed.data;
  const tooShort = passwordTooShort(newPassword, (await runtimeSettings()).passwordMinLength);
  if (tooShort) return { ok: false, fieldErrors: { newPassword: [tooShort] } };

  const user = await findUserPasswordHash(session.userId);
  if (!user || user.disabledAt) return { ok: false, error: 'wrong_password' };

  const lower = newPassword.toLowerCase();
  if (lower === user.email || lower === user.email.split('@')[0]) return { ok: false, fieldErrors: { newPassword: [EMAIL_PASSWORD_MESSAGE] } };
  if (isCommonPassword(newPassword, PASSWORD_MIN)) return { ok: false, fieldErrors: { newPassword: [COMMON_PASSWORD_MESSAGE] } };
  const contextWord = contextWordProblem(newPassword);
  if (contextWord) return { ok: false, fieldErrors: { newPassword: [contextWord] } };

  const gate = await beginSignInAttempt(user.email, context);
  if (!gate.allowed) return { ok: false, error: 'rate_limited', retryAfterSeconds: gate.retryAfterSeconds };
  if (!(await verifyPassword(user.passwordHash, currentPassword))) {
    await recordAuditEvent({
      type: 'user.password_changed',
      outcome: 'failure',
      actorUserId: user.id,
      subject: user.id,
      details: { reason: 'wrong_password' },
      context,
    });
    return { ok: false, error: 'wrong_password' };
  }
  await signInSucceeded(user.email, context);
  // Asked only once the current password is proven, so no one else can make Optare call out.
  const breached = await breachedPasswordProblem(newPassword);
  if (breached) return { ok: false, fieldErrors: { newPassword: [breached] } };

  const passwordHash = await hashPassword(newPassword);
  const result = await db().$transaction(async (tx) => {
    if (!(await updateUserPasswordHash(user.id, passwordHash, tx))) return null;
    const sessionsEnded = await deleteUserSessions(user.id, session.id, tx);
    const grantsRevoked = await revokeUserGrants(user.id, 'password_changed', { context, now, client: tx });
    const trustedDevicesForgotten = await forgetTrustedDevices(user.id, context, 'password_changed', tx);
    await recordAuditEvent(
      {
        type: 'user.password_changed',
        outcome: 'success',
        actorUserId: user.id,
        subject: user.id,
        details: { sessionsEnded, grantsRevoked, trustedDevicesForgotten },
        context,
      },
      tx,
    );
    return { sessionsEnded, grantsRevoked, trustedDevicesForgotten };
  });
  if (!result) return { ok: false, error: 'wrong_password' };
  await notifySecurityEvent(user.id, 'password_changed', context, { sessionsEnded: String(result.sessionsEnded) });
  return { ok: true, ...result };
}
