import 'server-only';
import { pseudonymiseUserAuditEvents } from '../audit/pseudonymise';
import { recordAuditEvent } from '../audit/record';
import type { AuditContext, AuditEventInput } from '../audit/events';
import { isFreshlyAuthenticated, type AccountHolder } from '../auth/mfa-enrollment';
import { getConfig } from '../config';
import { pseudonymOf } from '../crypto/pseudonym';
import { lockAdminUser, lockEnabledAdminIds } from '../db/admin-users';
import { db } from '../db/client';
import { deleteUserAndRows, lockAuditChainHead, type DeletedUserRows } from '../db/privacy';
import { fieldErrorsOf, type FieldErrors } from '../validation/account';
import { auditActor, type AdminActor } from '../admin/actor';
import { parseUserId } from '../admin/users';
import { adminDeleteUserFormSchema, adminDeleteUserSchema, deleteOwnAccountSchema } from './schemas';

/**
 * Deleting an account, by its owner (the account page) or by an administrator (console, admin
 * API). One transaction does it all or nothing: every session, grant (so every refresh and access
 * token), consent, factor, remembered browser and email link goes with the user row; the user's
 * audit events are pseudonymised (lib/audit/pseudonymise.ts); and `user.deleted` records who
 * deleted it, why (administrators must say), what went, and the pseudonym — never the address.
 *
 * Rules: the owner needs a fresh sign-in (the 10-minute rule of factor changes) and must type
 * their address; an administrator gives a reason, cannot delete themselves on the admin plane,
 * and nobody can delete the last enabled administrator.
 */

export type DeletionError = 'user_not_found' | 'last_admin' | 'cannot_delete_self' | 'email_mismatch' | 'reauthentication_required';

/** Each refusal's HTTP status and the message a person can act on (console and admin API share them). */
export const DELETION_ERRORS: Record<DeletionError, { status: 400 | 403 | 404 | 409; message: string }> = {
  user_not_found: { status: 404, message: 'No user has this id.' },
  last_admin: { status: 409, message: 'This is the last enabled administrator. Make someone else an administrator first.' },
  cannot_delete_self: { status: 409, message: 'You cannot delete your own account here. Use “Delete account” on your account page.' },
  email_mismatch: { status: 400, message: 'That is not this user’s email address. Type it exactly as shown.' },
  reauthentication_required: { status: 403, message: 'For your security, sign in again to delete your account.' },
};

export type DeletionResult =
  | { ok: true; pseudonym: string; deleted: DeletedUserRows; eventsPseudonymised: number }
  | { ok: false; error: DeletionError }
  | { ok: false; error: 'invalid_request'; fieldErrors: FieldErrors };

/** Deletes the signed-in user's own account: `{ confirmEmail }`. */
export async function deleteOwnAccount(holder: AccountHolder, input: unknown, context: AuditContext, now = new Date()): Promise<DeletionResult> {
  if (!isFreshlyAuthenticated(holder, now)) return { ok: false, error: 'reauthentication_required' };
  const parsed = deleteOwnAccountSchema.safeParse(input);
  if (!parsed.success) return { ok: false, error: 'invalid_request', fieldErrors: fieldErrorsOf(parsed.error) };
  // The owner's IP address and browser are personal data too: the record keeps neither.
  const anonymous: AuditContext = { ip: null, userAgent: null, requestId: context.requestId };
  return deleteAccount(holder.userId, {
    confirmEmail: parsed.data.confirmEmail,
    reason: null,
    via: 'self',
    actor: (pseudonym) => ({ actorUserId: pseudonym, actorApiKeyId: null, context: anonymous }),
    now,
  });
}

/**
 * Deletes a user's account on the admin plane: `{ reason }` from the admin API, `{ reason,
 * confirmEmail }` from the console (`form`), where the administrator types the address.
 */
export async function adminDeleteUser(actor: AdminActor, userId: unknown, input: unknown, options: { form?: boolean; now?: Date } = {}): Promise<DeletionResult> {
  const id = parseUserId(userId);
  if (!id) return { ok: false, error: 'user_not_found' };
  const parsed = options.form ? adminDeleteUserFormSchema.safeParse(input) : adminDeleteUserSchema.safeParse(input);
  if (!parsed.success) return { ok: false, error: 'invalid_request', fieldErrors: fieldErrorsOf(parsed.error) };
  if (actor.kind === 'user' && actor.userId === id) return { ok: false, error: 'cannot_delete_self' };
  return deleteAccount(id, {
    confirmEmail: 'confirmEmail' in parsed.data && typeof parsed.data.confirmEmail === 'string' ? parsed.data.confirmEmail : null,
    reason: parsed.data.reason,
    via: 'admin',
    actor: () => auditActor(actor),
    now: options.now ?? new Date(),
  });
}

interface Deletion {
  /** The address the deleter typed, or null when none is asked for. */
  confirmEmail: string | null;
  reason: string | null;
  via: 'self' | 'admin';
  actor: (pseudonym: string) => Pick<AuditEventInput, 'actorUserId' | 'actorApiKeyId' | 'context'>;
  now: Date;
}

async function deleteAccount(userId: string, deletion: Deletion): Promise<DeletionResult> {
  return db().$transaction(
    async (tx) => {
      // The same lock order as the other admin-plane changes (administrators, the user, then the
      // audit chain head as recordAuditEvent takes it), so they cannot deadlock with this one.
      const admins = await lockEnabledAdminIds(tx);
      const user = await lockAdminUser(userId, tx);
      if (!user) return { ok: false as const, error: 'user_not_found' as const };
      if (deletion.confirmEmail !== null && deletion.confirmEmail !== user.email) return { ok: false as const, error: 'email_mismatch' as const };
      if (admins.includes(userId) && admins.length <= 1) return { ok: false as const, error: 'last_admin' as const };
      await lockAuditChainHead(tx);
      const pseudonym = pseudonymOf(userId, getConfig().encryption.current);
      const eventsPseudonymised = await pseudonymiseUserAuditEvents(user, pseudonym, deletion.now, tx);
      const deleted = await deleteUserAndRows(userId, tx);
      await recordAuditEvent(
        {
          type: 'user.deleted',
          outcome: 'success',
          ...deletion.actor(pseudonym),
          subject: pseudonym,
          details: { pseudonym, via: deletion.via, ...(deletion.reason ? { reason: deletion.reason } : {}), ...deleted, eventsPseudonymised },
        },
        tx,
      );
      return { ok: true as const, pseudonym, deleted, eventsPseudonymised };
    },
    { maxWait: 15_000, timeout: 60_000 },
  );
}
