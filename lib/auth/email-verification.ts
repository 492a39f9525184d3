import 'server-only';
import { z } from 'zod';
import { db } from '../db/client';
import { findUserByEmail } from '../db/users';
import { consumeEmailToken, findUserEmailState, markEmailVerified } from '../db/email-tokens';
import { recordAuditEvent } from '../audit/record';
import type { AuditContext } from '../audit/events';
import { runtimeSettings } from '../settings/runtime';
import { consume, limitKey } from '../rate-limit/limiter';
import { sendEmailInBackground } from '../email/send';
import { verificationEmail } from '../email/messages';
import { emailSchema, fieldErrorsOf, type FieldErrors } from '../validation/account';
import { issueEmailLink, lookUpEmailToken } from './email-tokens';

/**
 * Whether unverified users are kept from signing in: OPTARE_EMAIL_VERIFICATION=required, or the
 * console's setting (lib/settings).
 */
export async function emailVerificationRequired(): Promise<boolean> {
  return (await runtimeSettings()).emailVerificationRequired;
}

/** Whether this user may sign in as far as their address goes. */
export async function mayLogIn(userId: string): Promise<boolean> {
  if (!(await emailVerificationRequired())) return true;
  const user = await findUserEmailState(userId);
  return Boolean(user?.emailVerifiedAt);
}

/**
 * Sends a verification link to the user's current address (in the background), unless it is
 * verified already or the per-account limit is spent. Returns whether a link went out.
 */
export async function sendVerificationEmail(userId: string, context: AuditContext, now = new Date()): Promise<boolean> {
  const user = await findUserEmailState(userId);
  if (!user || user.disabledAt || user.emailVerifiedAt) return false;
  const gate = await consume('emailVerification', limitKey('user', user.id), context);
  if (!gate.allowed) return false;
  const link = await issueEmailLink(user.id, 'verify_email', user.email, now);
  await recordAuditEvent({ type: 'user.email_verification_sent', outcome: 'success', actorUserId: user.id, subject: user.id, context });
  sendEmailInBackground(verificationEmail(user.email, link), 'verify_email');
  return true;
}

export type ResendResult = { ok: true } | { ok: false; fieldErrors: FieldErrors } | { ok: false; error: 'rate_limited'; retryAfterSeconds: number };

/**
 * The resend page: by address, for users who cannot sign in yet. Same answer whether the
 * account exists, is verified already or not; limited per IP address and per account.
 */
export async function resendVerificationEmail(input: unknown, context: AuditContext, now = new Date()): Promise<ResendResult> {
  const parsed = z.object({ email: emailSchema }).safeParse(input);
  if (!parsed.success) return { ok: false, fieldErrors: fieldErrorsOf(parsed.error) };
  const ipGate = await consume('emailRequestsIp', limitKey('ip', context.ip ?? 'unknown'), context);
  if (!ipGate.allowed) return { ok: false, error: 'rate_limited', retryAfterSeconds: ipGate.retryAfterSeconds };
  const user = await findUserByEmail(parsed.data.email);
  if (user) await sendVerificationEmail(user.id, context, now);
  return { ok: true };
}

export type VerifyEmailResult = { ok: true; userId: string } | { ok: false; error: 'invalid_token' };

/**
 * Uses a verification link: marks the address verified if it is still the user's address.
 * A wrong, used, expired or other-purpose token changes nothing.
 */
export async function verifyEmail(input: unknown, context: AuditContext, now = new Date()): Promise<VerifyEmailResult> {
  const token = await lookUpEmailToken(tokenOf(input), 'verify_email', now);
  if (!token || token.email !== token.user.email) {
    await recordAuditEvent({ type: 'user.email_verified', outcome: 'failure', subject: token?.userId ?? null, details: { reason: 'invalid_token' }, context });
    return { ok: false, error: 'invalid_token' };
  }
  const verified = await db().$transaction(async (tx) => {
    if (!(await consumeEmailToken(token.id, now, tx))) return false;
    if (!(await markEmailVerified(token.userId, token.email, now, tx))) return false;
    await recordAuditEvent({ type: 'user.email_verified', outcome: 'success', actorUserId: token.userId, subject: token.userId, context }, tx);
    return true;
  });
  if (!verified) {
    await recordAuditEvent({ type: 'user.email_verified', outcome: 'failure', subject: token.userId, details: { reason: 'invalid_token' }, context });
    return { ok: false, error: 'invalid_token' };
  }
  return { ok: true, userId: token.userId };
}

export function tokenOf(input: unknown): unknown {
  return typeof input === 'object' && input !== null ? (input as { token?: unknown }).token : undefined;
}
