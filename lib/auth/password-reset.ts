import 'server-only';
import { z } from 'zod';
import { db } from '../db/client';
import { findUserByEmail, updateUserPasswordHash } from '../db/users';
import { deleteUserSessions } from '../db/sessions';
import { consumeEmailToken, deleteUnusedEmailTokens, markEmailVerified } from '../db/email-tokens';
import { recordAuditEvent } from '../audit/record';
import type { AuditContext, AuditEventInput } from '../audit/events';
import { consume, limitKey } from '../rate-limit/limiter';
import { revokeUserGrants } from '../oauth/grants/revoke';
import { sendEmailInBackground } from '../email/send';
import { passwordResetEmail } from '../email/messages';
import { notifySecurityEvent } from '../notifications/security-events';
import { emailSchema, fieldErrorsOf, newPasswordSchema, PASSWORD_MIN, passwordTooShort, type FieldErrors } from '../validation/account';
import { runtimeSettings } from '../settings/runtime';
import { isCommonPassword } from './common-passwords';
import { breachedPasswordProblem } from './breached-passwords';
import { contextWordProblem } from './password-context';
import { hashPassword } from './passwords';
import { forgetTrustedDevices } from './trusted-devices';
import { issueEmailLink, lookUpEmailToken } from './email-tokens';

export type RequestPasswordResetResult =
  | { ok: true }
  | { ok: false; fieldErrors: FieldErrors }
  | { ok: false; error: 'rate_limited'; retryAfterSeconds: number };

/**
 * Asks for a reset link. The answer is the same whether or not an account has that address:
 * the work that differs (the token row, the email) happens only for an existing, enabled
 * account and the email is sent after the answer, in the background. Limits: requests per IP
 * address (refused with 429, whatever the address typed), and emails per address (past it the
 * answer is still `ok`, nothing is sent, so the limit reveals nothing either).
 */
export async function requestPasswordReset(input: unknown, context: AuditContext, now = new Date()): Promise<RequestPasswordResetResult> {
  const parsed = z.object({ email: emailSchema }).safeParse(input);
  if (!parsed.success) return { ok: false, fieldErrors: fieldErrorsOf(parsed.error) };
  const { email } = parsed.data;
  const ipGate = await consume('emailRequestsIp', limitKey('ip', context.ip ?? 'unknown'), context);
  if (!ipGate.allowed) return { ok: false, error: 'rate_limited', retryAfterSeconds: ipGate.retryAfterSeconds };
  const accountGate = await consume('passwordReset', limitKey('email', email), context);

  const user = await findUserByEmail(email);
  const reason = !user ? 'unknown_account' : user.disabledAt ? 'account_disabled' : !accountGate.allowed ? 'rate_limited' : null;
  let link: string | null = null;
  if (user && !reason) link = await issueEmailLink(user.id, 'reset_password', user.email, now);
  await recordAuditEvent({
    type: 'user.password_reset_requested',
    outcome: reason ? 'failure' : 'success',
    actorUserId: null,
    subject: user?.id ?? email,
    details: reason ? { reason } : {},
    context,
  });
  if (user && link) sendEmailInBackground(passwordResetEmail(user.email, link), 'reset_password');
  return { ok: true };
}

export type ResetPasswordResult =
  | { ok: true; sessionsEnded: number; grantsRevoked: number }
  | { ok: false; fieldErrors: FieldErrors }
  | { ok: false; error: 'invalid_token' };

const COMMON_PASSWORD_MESSAGE = 'This password is too common; choose one that is harder to guess.';
const EMAIL_PASSWORD_MESSAGE = 'The password must not be your email address.';

/**
 * Sets a new password through a reset link. A wrong, used, expired or other-purpose token, or
 * one of a disabled account, is `invalid_token` and changes nothing. A password that fails the
 * policy leaves the link usable. On success, in one transaction: the token is consumed (an
 * update conditioned on it being unused: exactly one request wins), the hash replaced, every
 * session ended, every grant revoked (refresh and access tokens), remembered browsers
 * forgotten, other reset links dropped, and `user.password_reset` audited. The address is then
 * known to work, so it counts as verified. The user is notified.
 */
export async function resetPassword(input: unknown, context: AuditContext, now = new Date()): Promise<ResetPasswordResult> {
  const body = z.object({ token: z.unknown(), password: newPasswordSchema }).safeParse(input);
  const token = await lookUpEmailToken(typeof input === 'object' && input !== null ? (input as { token?: unknown }).token : undefined, 'reset_password', now);
  if (!token) {
    await recordAuditEvent({ type: 'user.password_reset', outcome: 'failure', details: { reason: 'invalid_token' }, context });
    return { ok: false, error: 'invalid_token' };
  }
  if (!body.success) return { ok: false, fieldErrors: fieldErrorsOf(body.error) };
  const password = body.data.password;
  const tooShort = passwordTooShort(password, (await runtimeSettings()).passwordMinLength);
  if (tooShort) return { ok: false, fieldErrors: { password: [tooShort] } };
  const lower = password.toLowerCase();
  const email = token.user.email;
  if (lower === email || lower === email.split('@')[0]) return { ok: false, fieldErrors: { password: [EMAIL_PASSWORD_MESSAGE] } };
  if (isCommonPassword(password, PASSWORD_MIN)) return { ok: false, fieldErrors: { password: [COMMON_PASSWORD_MESSAGE] } };
  const contextWord = contextWordProblem(password);
  if (contextWord) return { ok: false, fieldErrors: { password: [contextWord] } };
  const breached = await breachedPasswordProblem(password);
  if (breached) return { ok: false, fieldErrors: { password: [breached] } };

  const passwordHash = await hashPassword(password);
  const userId = token.userId;
  const result = await db().$transaction(async (tx) => {
    if (!(await consumeEmailToken(token.id, now, tx))) return null;
    if (!(await updateUserPasswordHash(userId, passwordHash, tx))) return null;
    if (token.email === email && !token.user.emailVerifiedAt) await markEmailVerified(userId, email, now, tx);
    await deleteUnusedEmailTokens(userId, 'reset_password', tx);
    const sessionsEnded = await deleteUserSessions(userId, undefined, tx);
    const grantsRevoked = await revokeUserGrants(userId, 'password_reset', { context, now, client: tx });
    const trustedDevicesForgotten = await forgetTrustedDevices(userId, context, 'password_reset', tx);
    await recordAuditEvent(
      {
        type: 'user.password_reset',
        outcome: 'success',
        actorUserId: userId,
        subject: userId,
        details: { sessionsEnded, grantsRevoked, trustedDevicesForgotten },
        context,
      },
      tx,
    );
    return { sessionsEnded, grantsRevoked };
  });
  if (!result) {
    await recordAuditEvent({ type: 'user.password_reset', outcome: 'failure', subject: userId, details: { reason: 'invalid_token' }, context });
    return { ok: false, error: 'invalid_token' };
  }
  await notifySecurityEvent(userId, 'password_changed', context, { via: 'reset link' });
  return { ok: true, ...result };
}

export type SendPasswordResetLinkResult = { ok: true } | { ok: false; error: 'rate_limited'; retryAfterSeconds: number };

/**
 * Sends a reset link to a known, enabled account at someone else's request (an administrator
 * or an admin API key): the link and email of requestPasswordReset, within the same limit of
 * emails per address, but said openly (the caller already knows the account exists) and
 * audited as `user.password_reset_requested` with the caller as actor, in the transaction that
 * stores the link. The caller checks that the account exists and is enabled.
 */
export async function sendPasswordResetLink(
  user: { id: string; email: string },
  actor: Pick<AuditEventInput, 'actorUserId' | 'actorApiKeyId' | 'context'>,
  now = new Date(),
): Promise<SendPasswordResetLinkResult> {
  const gate = await consume('passwordReset', limitKey('email', user.email), actor.context);
  if (!gate.allowed) return { ok: false, error: 'rate_limited', retryAfterSeconds: gate.retryAfterSeconds };
  const link = await db().$transaction(async (tx) => {
    const issued = await issueEmailLink(user.id, 'reset_password', user.email, now, tx);
    await recordAuditEvent({ type: 'user.password_reset_requested', outcome: 'success', ...actor, subject: user.id, details: { via: 'admin' } }, tx);
    return issued;
  });
  sendEmailInBackground(passwordResetEmail(user.email, link), 'reset_password');
  return { ok: true };
}
