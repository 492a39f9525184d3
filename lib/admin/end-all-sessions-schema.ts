import { z } from 'zod';
import { adminReason } from './user-schemas';

/** Ending every user's sessions (lib/admin/end-all-sessions.ts): the schemas, shared with the console's form. */

export const endAllSessionsSchema = z.object({ reason: adminReason('Say why every session is being ended.') });

/** What the console's form has the administrator type to confirm (compared trimmed, in any case). */
export const END_ALL_SESSIONS_CONFIRMATION = 'end all sessions';

/** The console's form: the reason and the typed confirmation. */
export const endAllSessionsConsoleSchema = endAllSessionsSchema.extend({
  confirm: z
    .string({ error: `Type “${END_ALL_SESSIONS_CONFIRMATION}” to confirm.` })
    .refine((value) => value.trim().toLowerCase() === END_ALL_SESSIONS_CONFIRMATION, `Type “${END_ALL_SESSIONS_CONFIRMATION}” to confirm.`),
});

export type EndAllSessionsConsoleInput = z.input<typeof endAllSessionsConsoleSchema>;
