import { z } from 'zod';
import { codePointLength, hasUnsafeCharacters } from '../validation/text';

// The console's create form validates with this schema in the browser too: no server-only
// imports here, and no code generation (Optare's CSP forbids 'unsafe-eval'; see lib/validation/account.ts).
z.config({ jitless: true });

/**
 * What an admin API key may be given, and the rules of a new key: the console's form, the
 * console's route and the admin API's POST /api-keys all validate with `createApiKeySchema`.
 */
export const API_KEY_SCOPES = [
  'clients:read',
  'clients:write',
  'users:read',
  'users:write',
  'audit:read',
  'api_keys:read',
  'api_keys:write',
] as const;

export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export const API_KEY_SCOPE_DESCRIPTIONS: Record<ApiKeyScope, string> = {
  'clients:read': 'List and read OAuth clients',
  'clients:write': 'Create, change, rotate the secret of, disable and delete OAuth clients',
  'users:read': 'Search and read users, their sessions and factors',
  'users:write': 'Disable, enable, sign out, reset MFA, grant or revoke the admin role',
  'audit:read': 'Read and export audit events',
  'api_keys:read': 'List API keys (never their secrets)',
  'api_keys:write': 'Create, rotate and revoke API keys',
};

export const API_KEY_NAME_MAX = 100;
const DAY_MS = 86_400_000;
/** A key lives at least a day and at most two years; 90 days unless told otherwise. */
export const API_KEY_DEFAULT_LIFETIME_DAYS = 90;
export const API_KEY_MAX_LIFETIME_YEARS = 2;

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `date` plus `years` calendar years, in UTC (29 February lands on 1 March). */
function addYears(date: Date, years: number): Date {
  const out = new Date(date.getTime());
  out.setUTCFullYear(out.getUTCFullYear() + years);
  return out;
}

/** YYYY-MM-DD of a moment, in UTC. */
export function utcDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** The dates the console's date picker offers: tomorrow to two years from today (UTC), 90 days by default. */
export function expiryDateChoices(now = new Date()): { min: string; max: string; default: string } {
  return {
    min: utcDate(new Date(now.getTime() + DAY_MS)),
    max: utcDate(addYears(now, API_KEY_MAX_LIFETIME_YEARS)),
    default: utcDate(new Date(now.getTime() + API_KEY_DEFAULT_LIFETIME_DAYS * DAY_MS)),
  };
}

export type ExpiryResult = { ok: true; expiresAt: Date } | { ok: false; message: string };

/**
 * When a new key expires. No value: in 90 days. A date (YYYY-MM-DD): at the end of that day,
 * UTC, which must be from tomorrow to two years from today. A date and time (RFC 3339): at
 * that moment, which must be from one day to two years from now.
 */
export function resolveExpiry(value: string | undefined, now = new Date()): ExpiryResult {
  if (value === undefined) return { ok: true, expiresAt: new Date(now.getTime() + API_KEY_DEFAULT_LIFETIME_DAYS * DAY_MS) };
  const dateOnly = DATE_ONLY.exec(value);
  if (dateOnly) {
    const [, year, month, day] = dateOnly.map(Number) as [number, number, number, number];
    const start = new Date(Date.UTC(year, month - 1, day));
    if (Number.isNaN(start.getTime()) || utcDate(start) !== value) return { ok: false, message: 'This date does not exist.' };
    const choices = expiryDateChoices(now);
    if (value < choices.min) return { ok: false, message: `Choose a date from ${choices.min} (tomorrow) on.` };
    if (value > choices.max) return { ok: false, message: `Choose a date no later than ${choices.max} (two years from today).` };
    return { ok: true, expiresAt: new Date(start.getTime() + DAY_MS) };
  }
  const moment = new Date(value);
  if (Number.isNaN(moment.getTime())) return { ok: false, message: 'Enter a date (YYYY-MM-DD) or a date and time (RFC 3339).' };
  if (moment.getTime() < now.getTime() + DAY_MS) return { ok: false, message: 'The key must stay valid for at least one day.' };
  if (moment > addYears(now, API_KEY_MAX_LIFETIME_YEARS)) return { ok: false, message: 'The key can stay valid for at most two years.' };
  return { ok: true, expiresAt: moment };
}

/**
 * The lifetime of a key made by rotating one: the rotated key's own lifetime, held between one
 * day and two years, from `now`.
 */
export function successorExpiry(previous: { createdAt: Date; expiresAt: Date }, now = new Date()): Date {
  const lifetime = previous.expiresAt.getTime() - previous.createdAt.getTime();
  const latest = addYears(now, API_KEY_MAX_LIFETIME_YEARS).getTime();
  return new Date(Math.min(Math.max(now.getTime() + lifetime, now.getTime() + DAY_MS), latest));
}

export const apiKeyNameSchema = z
  .string({ error: 'Enter a name for the key.' })
  // Checked before trimming, which would otherwise quietly remove a leading U+FEFF.
  .refine((value) => !hasUnsafeCharacters(value), 'The name contains invisible or control characters.')
  .transform((value) => value.normalize('NFC').trim())
  .pipe(
    z
      .string()
      .min(1, 'Enter a name for the key.')
      .refine((value) => codePointLength(value) <= API_KEY_NAME_MAX, `A name has at most ${API_KEY_NAME_MAX} characters.`),
  )
  .meta({ description: `What the key is for, 1 to ${API_KEY_NAME_MAX} characters (e.g. "Terraform").` });

export const apiKeyScopesSchema = z
  .array(z.enum(API_KEY_SCOPES, { error: `Each scope must be one of ${API_KEY_SCOPES.join(', ')}.` }), {
    error: 'Choose at least one scope.',
  })
  .min(1, 'Choose at least one scope.')
  .max(API_KEY_SCOPES.length, 'Name each scope once.')
  .refine((scopes) => new Set(scopes).size === scopes.length, 'Name each scope once.')
  .meta({ description: 'What the key may do: one or more scopes. A `:write` scope includes its `:read`.' });

export const apiKeyExpirySchema = z
  .string({ error: 'Enter a date (YYYY-MM-DD) or a date and time (RFC 3339).' })
  .max(40, 'Enter a date (YYYY-MM-DD) or a date and time (RFC 3339).')
  .regex(
    /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/,
    'Enter a date (YYYY-MM-DD) or a date and time (RFC 3339).',
  )
  .superRefine((value, context) => {
    const expiry = resolveExpiry(value);
    if (!expiry.ok) context.addIssue({ code: 'custom', message: expiry.message });
  })
  .meta({
    description:
      'When the key stops working: a date (YYYY-MM-DD, the key works until the end of that day, UTC) from tomorrow to two years from today, or a date and time (RFC 3339) from one day to two years from now. Default: 90 days from now.',
  });

/** A new key: its name, scopes and expiry (optional: 90 days). Parsing twice gives the same result. */
export const createApiKeySchema = z.object({
  name: apiKeyNameSchema,
  scopes: apiKeyScopesSchema,
  expiresAt: apiKeyExpirySchema.optional(),
});

export type CreateApiKeyInput = z.input<typeof createApiKeySchema>;
export type CreateApiKeySettings = z.output<typeof createApiKeySchema>;
