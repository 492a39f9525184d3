import 'server-only';
import { recordAuditEvent } from '../audit/record';
import type { AuditContext } from '../audit/events';
import { getConfig } from '../config';
import { findUserByEmail } from '../db/users';
import { sendEmailInBackground } from '../email/send';
import { signUpAttemptNotice } from '../email/messages';
import { consume, limitKey } from '../rate-limit/limiter';
import { emailSchema } from '../validation/account';

/**
 * A sign-up with an address that already has an account, while email verification is required:
 * the sign-up answers exactly as for a new address (ASVS 6.3.8), and the owner learns about it
 * here instead. The work matches the new-address path (createUser spent the same argon2 hash;
 * then one rate-limit count, one audit event and one background email, as sendVerificationEmail
 * does). Notices count against the same per-account email limit as verification emails, so
 * nobody can flood an owner's mailbox by signing up again and again.
 */
export async function notifyOwnerOfSignUpAttempt(email: unknown, context: AuditContext): Promise<void> {
  const parsed = emailSchema.safeParse(email);
  const owner = parsed.success ? await findUserByEmail(parsed.data) : null;
  if (!owner) return;
  const gate = await consume('emailVerification', limitKey('user', owner.id), context);
  const notify = gate.allowed && !owner.disabledAt;
  await recordAuditEvent({
    type: 'user.created',
    outcome: 'failure',
    subject: owner.id,
    details: { via: 'sign_up', reason: 'email_taken', ownerNotified: notify },
    context,
  });
  if (!notify) return;
  const { issuer } = getConfig();
  sendEmailInBackground(signUpAttemptNotice(owner.email, `${issuer}/sign-in`, `${issuer}/forgot-password`), 'sign_up_attempt_notice');
}
