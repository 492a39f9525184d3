import 'server-only';
import { recordAuditEvent } from '../audit/record';
import type { AuditContext } from '../audit/events';
import { db } from '../db/client';
import { findUserById, updateUserName } from '../db/users';
import { fieldErrorsOf, profileSchema, type FieldErrors } from '../validation/account';

export interface Profile {
  name: string;
  email: string;
  createdAt: Date;
}

/** What the profile section shows. */
export async function profileOf(userId: string): Promise<Profile | null> {
  const user = await findUserById(userId);
  return user ? { name: user.name, email: user.email, createdAt: user.createdAt } : null;
}

export type UpdateProfileResult = { ok: true; name: string } | { ok: false; fieldErrors: FieldErrors } | { ok: false; error: 'not_found' };

/** Changes the user's own name (the shared profile schema), audited with the change. */
export async function updateProfile(userId: string, input: unknown, context: AuditContext): Promise<UpdateProfileResult> {
  const parsed = profileSchema.safeParse(input);
  if (!parsed.success) return { ok: false, fieldErrors: fieldErrorsOf(parsed.error) };
  const { name } = parsed.data;
  const updated = await db().$transaction(async (tx) => {
    if (!(await updateUserName(userId, name, tx))) return false;
    await recordAuditEvent({ type: 'user.profile_updated', outcome: 'success', actorUserId: userId, subject: userId, details: { fields: ['name'] }, context }, tx);
    return true;
  });
  return updated ? { ok: true, name } : { ok: false, error: 'not_found' };
}
