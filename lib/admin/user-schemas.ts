import { z } from 'zod';
import { AUDIT_LIMITS } from '../audit/sanitize';
import { codePointLength, hasUnsafeCharacters } from '../validation/text';

// The console's forms validate with these schemas in the browser too: no server-only imports
// here, and no code generation (Optare's CSP forbids 'unsafe-eval'; see lib/validation/account.ts).
z.config({ jitless: true });

/**
 * What the admin plane accepts about users: the search of the user list (console page and
 * GET /api/admin/v1/users) and the reason of an MFA reset (console form, console route and
 * POST /api/admin/v1/users/{userId}/mfa-reset all validate with the same schema).
 */

export const USER_SEARCH_TEXT_MAX = 254;
export const USER_PAGE_SIZE = 25;

/**
 * The reason an administrator gives for resetting a user's MFA: 3 to 500 characters, kept in
 * the audit event whole. The audit log keeps at most AUDIT_LIMITS.detailString characters of a
 * detail, so the limit is the smaller of the two: a reason is never cut short in the record.
 */
export const MFA_RESET_REASON = { min: 3, max: Math.min(500, AUDIT_LIMITS.detailString) } as const;

/** Line breaks and runs of spaces become one space: a reason is one line in the audit log. */
function oneLine(value: string): string {
  return value.replace(/\s+/g, ' ').trim();
}

/** The reason an administrator gives for a change they must justify (an MFA reset, a deletion, an export). */
export function adminReason(missing: string) {
  return (
    z
      .string({ error: missing })
      // Checked on one line: the form's textarea may send line breaks, nothing else invisible.
      .transform(oneLine)
      .refine((value) => !hasUnsafeCharacters(value), 'The reason contains invisible or control characters.')
      .refine((value) => codePointLength(value) >= MFA_RESET_REASON.min, `Give a reason of at least ${MFA_RESET_REASON.min} characters.`)
      .refine((value) => codePointLength(value) <= MFA_RESET_REASON.max, `Keep the reason to ${MFA_RESET_REASON.max} characters or fewer.`)
  );
}

export const mfaResetSchema = z.object({ reason: adminReason('Say why the MFA is being reset.') });

export type MfaResetInput = z.input<typeof mfaResetSchema>;

/** The search text: trimmed; empty means no filter. Control characters are refused (PostgreSQL refuses NUL). */
const searchText = z
  .string()
  .max(USER_SEARCH_TEXT_MAX, `Search with at most ${USER_SEARCH_TEXT_MAX} characters.`)
  .refine((value) => !hasUnsafeCharacters(value), 'The search contains invisible or control characters.')
  .transform((value) => value.trim() || undefined);

/** The user list's filters, as query parameters (strings): q, status, admin. */
export const userSearchFilters = {
  q: searchText.optional().describe('Case-insensitive part of the email address or the name.'),
  status: z.enum(['active', 'disabled']).optional().describe('Only enabled (active) or only disabled users.'),
  admin: z
    .enum(['true', 'false'])
    .optional()
    .transform((value) => (value === undefined ? undefined : value === 'true'))
    .describe('Only administrators (true) or only other users (false).'),
};

export const userSearchSchema = z.object(userSearchFilters);
export type UserSearchFilters = z.output<typeof userSearchSchema>;
