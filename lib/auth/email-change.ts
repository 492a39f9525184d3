import 'server-only';
import { z } from 'zod';
import { db } from '../db/client';
import { findUserByEmail, findUserPasswordHash } from '../db/users';
import { consumeEmailToken, deleteUnusedEmailTokens, updateUserEmail } from '../db/email-tokens';
import { recordAuditEvent } from '../audit/record';
import type { AuditContext } from '../audit/events';
import { getConfig } from '../config';
import { consume, limitKey } from '../rate-limit/limiter';
import { beginSignInAttempt, signInSucceeded } from '../rate-limit/sign-in';
import { sendEmailInBackground } from '../email/send';
import { emailChangeConfirmation, emailChangeNotice } from '../email/messages';
import { emailSchema, fieldErrorsOf, PASSWORD_MAX, type FieldErrors } from '../validation/account';
import { verifyPassword } from './passwords';
import { issueEmailLink, lookUpEmailToken } from './email-tokens';
import { tokenOf } from './email-verification';

export const changeEmailSchema = z.object({
  email: emailSchema,
  password: z.string({ error: 'Enter your current password.' }).min(1, 'Enter your current password.').max(PASSWORD_MAX * 4),
});

export type RequestEmailChangeResult =
  | { ok: true }
  | { ok: false; fieldErrors: FieldErrors }
  | { ok: false; error: 'wrong_password' | 'same_email' }
  | { ok: false; error: 'rate_limited'; retryAfterSeconds: number };

/**
 * Starts an address change from the profile: the current password is checked (guesses count
 * against the sign-in limits), then a link goes to the NEW address and a notice to the old one.
 * Nothing changes until the link is used. Whether the new address already has an account is
 * not said here (that would reveal accounts); the link then fails when used.
 */
export async function requestEmailChange(userId: string, input: unknown, context: AuditContext, now = new Date()): Promise<RequestEmailChangeResult> {
  const parsed = changeEmailSchema.safeParse(input);
  if (!parsed.success) return { ok: false, fieldErrors: fieldErrorsOf(parsed.error) };
  const user = await findUserPasswordHash(userId);
  if (!user || user.disabledAt) return { ok: false, error: 'wrong_password' };
  if (parsed.data.email === user.email) return { ok: false, error: 'same_email' };
  const gate = await beginSignInAttempt(user.email, context);
  if (!gate.allowed) return { ok: false, error: 'rate_limited', retryAfterSeconds: gate.retryAfterSeconds };
  if (!(await verifyPassword(user.passwordHash, parsed.data.password.normalize('NFKC')))) {
    await recordAuditEvent({ type: 'user.email_change_requested', outcome: 'failure', actorUserId: user.id, subject: user.id, details: { reason: 'wrong_password' }, context });
    return { ok: false, error: 'wrong_password' };
  }
  await signInSucceeded(user.email, context);
  const limit = await consume('emailVerification', limitKey('user', user.id), context);
  if (!limit.allowed) return { ok: false, error: 'rate_limited', retryAfterSeconds: limit.retryAfterSeconds };

  const link = await issueEmailLink(user.id, 'change_email', parsed.data.email, now);
  await recordAuditEvent({ type: 'user.email_change_requested', outcome: 'success', actorUserId: user.id, subject: user.id, context });
  sendEmailInBackground(emailChangeConfirmation(parsed.data.email, link), 'change_email');
  sendEmailInBackground(emailChangeNotice(user.email, parsed.data.email, `${getConfig().issuer}/account`), 'email_change_notice');
  return { ok: true };
}

export type ConfirmEmailChangeResult = { ok: true; email: string } | { ok: false; error: 'invalid_token' | 'email_taken' };

/**
 * Uses an address-change link: the account's address becomes the one the link was sent to
 * (verified, since the link arrived there). Wrong, used or expired links change nothing; so does
 * a link whose address another account took meanwhile (`email_taken`, the link stays usable).
 */
export async function confirmEmailChange(input: unknown, context: AuditContext, now = new Date()): Promise<ConfirmEmailChangeResult> {
  const token = await lookUpEmailToken(tokenOf(input), 'change_email', now);
  if (!token) {
    await recordAuditEvent({ type: 'user.email_changed', outcome: 'failure', details: { reason: 'invalid_token' }, context });
    return { ok: false, error: 'invalid_token' };
  }
  if (await findUserByEmail(token.email)) return { ok: false, error: 'email_taken' };
  const outcome = await db().$transaction(async (tx) => {
    const changed = await updateUserEmail(token.userId, token.user.email, token.email, now, tx);
    if (changed === null) return 'email_taken' as const;
    if (!changed || !(await consumeEmailToken(token.id, now, tx))) throw new InvalidToken();
    await deleteUnusedEmailTokens(token.userId, 'verify_email', tx);
    await recordAuditEvent(
      { type: 'user.email_changed', outcome: 'success', actorUserId: token.userId, subject: token.userId, details: { from: token.user.email, to: token.email }, context },
      tx,
    );
    return 'changed' as const;
  }).catch((error: unknown) => {
    if (error instanceof InvalidToken) return 'invalid_token' as const;
    throw error;
  });
  if (outcome === 'changed') return { ok: true, email: token.email };
  if (outcome === 'invalid_token') {
    await recordAuditEvent({ type: 'user.email_changed', outcome: 'failure', subject: token.userId, details: { reason: 'invalid_token' }, context });
  }
  return { ok: false, error: outcome };
}

/** Rolls the transaction back when the token was used meanwhile, undoing the address change. */
class InvalidToken extends Error {}
