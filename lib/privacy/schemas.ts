import { z } from 'zod';
import { adminReason } from '../admin/user-schemas';

// Shared with the forms in the browser: no server-only imports here (and no code generation:
// Optare's CSP forbids 'unsafe-eval').
z.config({ jitless: true });

/** The email address typed to confirm a deletion: compared trimmed and lower-cased, like sign-in. */
const typedEmail = z
  .string({ error: 'Type your email address to confirm.' })
  .max(254, 'That is not the email address of this account.')
  .transform((value) => value.trim().toLowerCase());

/** The account page's "Delete account": the user types their own address. */
export const deleteOwnAccountSchema = z.object({ confirmEmail: typedEmail });

/** The admin API's DELETE /users/{userId}: why the account is deleted. */
export const adminDeleteUserSchema = z.object({ reason: adminReason('Say why the account is being deleted.') });

/** The console's deletion form: the reason and the user's address typed as confirmation. */
export const adminDeleteUserFormSchema = adminDeleteUserSchema.extend({
  confirmEmail: typedEmail.pipe(z.string().min(1, 'Type the user’s email address to confirm.')),
});

/** Why an administrator exports a user's data (the admin API's `reason` query parameter, the console's form). */
export const adminExportSchema = z.object({ reason: adminReason('Say why this user’s data is being exported.') });

export type DeleteOwnAccountInput = z.input<typeof deleteOwnAccountSchema>;
export type AdminDeleteUserFormInput = z.input<typeof adminDeleteUserFormSchema>;
