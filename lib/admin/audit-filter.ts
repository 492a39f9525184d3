import { z } from 'zod';
import { AUDIT_EVENT_TYPES, type AuditEventType, type AuditOutcome } from '../audit/events';
import { hasUnsafeCharacters } from '../validation/text';

// The console's filter form validates with this schema in the browser too: no server-only
// imports here, and no code generation (Optare's CSP forbids 'unsafe-eval'; see lib/validation/account.ts).
z.config({ jitless: true });

/**
 * The audit log's filters, as one zod schema shared by the console's filter form (in the
 * browser), the console page and export route (from the URL's query) and the admin API's
 * query. Every value arrives as text (a query parameter or a form field): an empty one means
 * "any", a repeated one is refused except for `type`, which may be given several times or as a
 * comma-separated list. Time bounds are ISO 8601; without an offset they are read as UTC.
 */

export const AUDIT_FILTER_LIMITS = {
  /** An email (254), a UUID or an API key's prefix. */
  actor: 254,
  /** The subject column's size. */
  subject: 320,
  /** The client id column's size. */
  client: 64,
  /** The ip column's size. */
  ip: 64,
  /** A time bound's text. */
  time: 40,
  /** The comma-separated text of the type filter. */
  typeText: 2048,
} as const;

export const AUDIT_OUTCOMES: readonly AuditOutcome[] = ['success', 'failure'];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** An API key's visible prefix (lib/admin/api-keys.ts): opk_ and 8 hex digits. */
const API_KEY_PREFIX = /^opk_[0-9a-f]{8}$/;
/** The same simple shape the sign-in form accepts; the lookup is exact and lower-cased. */
const EMAIL = /^[^\s@]+@[^\s@]+$/;
/** IPv4, IPv6 (with an embedded IPv4 part) and a zone id: the characters Optare records. */
const IP = /^[0-9A-Fa-f:.]+(%[A-Za-z0-9_.-]+)?$/;
const ISO_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/** What the actor filter names: resolved to actor ids on the server. */
export type AuditActorQuery = { kind: 'id'; id: string } | { kind: 'email'; email: string } | { kind: 'api_key_prefix'; prefix: string };

/** The validated filters. Absent means "any"; an empty `type` list means every type. */
export interface AuditFilter {
  type: AuditEventType[];
  actor?: string | undefined;
  subject?: string | undefined;
  client?: string | undefined;
  ip?: string | undefined;
  outcome?: AuditOutcome | undefined;
  /** Inclusive lower bound, normalised to ISO 8601 UTC with milliseconds. */
  from?: string | undefined;
  /** Exclusive upper bound, normalised to ISO 8601 UTC with milliseconds. */
  to?: string | undefined;
}

/** One value of a query parameter: a second one (`?ip=a&ip=b`) is refused rather than guessed at. */
function single(label: string) {
  return z.string({ error: (issue) => (Array.isArray(issue.input) ? `Give one ${label}, not several.` : `The ${label} must be text.`) });
}

/** A free-text filter: trimmed; empty means "any"; control and invisible characters refused. */
function textFilter(label: string, max: number, shape?: { pattern: RegExp; message: string }) {
  return single(label)
    .max(max, `The ${label} has at most ${max} characters.`)
    .optional()
    .transform((value) => value?.trim() || undefined)
    .refine((value) => value === undefined || !hasUnsafeCharacters(value), `The ${label} contains control or invisible characters.`)
    .refine((value) => value === undefined || !shape || shape.pattern.test(value), shape?.message ?? '');
}

/** Parses an ISO 8601 time (date, optional time, optional offset; UTC without one); null when invalid. */
export function parseAuditTime(text: string): Date | null {
  const match = ISO_TIME.exec(text);
  if (!match) return null;
  const [, y, mo, d, h = '00', mi = '00', s = '00', ms = '0', offset] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (year < 1970 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, Number(ms.padEnd(3, '0')));
  // Date.UTC rolls 30 February over into March: the day must survive the round trip.
  if (new Date(utc).getUTCDate() !== day) return null;
  let shift = 0;
  if (offset && offset.toUpperCase() !== 'Z') {
    const digits = offset.replace(':', '');
    const offsetHours = Number(digits.slice(1, 3));
    const offsetMinutes = Number(digits.slice(3, 5));
    if (offsetHours > 14 || offsetMinutes > 59) return null;
    shift = (offsetHours * 60 + offsetMinutes) * 60_000 * (digits.startsWith('-') ? -1 : 1);
  }
  return new Date(utc - shift);
}

function timeFilter(label: string) {
  return single(label)
    .max(AUDIT_FILTER_LIMITS.time, `The ${label} time has at most ${AUDIT_FILTER_LIMITS.time} characters.`)
    .optional()
    .transform((value, context) => {
      const text = value?.trim();
      if (!text) return undefined;
      const time = parseAuditTime(text);
      if (!time) {
        context.addIssue({ code: 'custom', message: `Enter the ${label} time as ISO 8601, like 2026-05-01T09:30Z.` });
        return z.NEVER;
      }
      return time.toISOString();
    });
}

const typeFilter = z
  .union([
    single('type list').max(AUDIT_FILTER_LIMITS.typeText, 'The type list is too long.'),
    z.array(z.string().max(64, 'Choose event types from the list.')).max(AUDIT_EVENT_TYPES.length, 'Too many event types.'),
  ])
  .optional()
  .transform((value) => {
    const items = (Array.isArray(value) ? value : [value ?? '']).flatMap((item) => item.split(','));
    return [...new Set(items.map((item) => item.trim()).filter(Boolean))];
  })
  .pipe(z.array(z.enum(AUDIT_EVENT_TYPES, { error: 'Choose event types from the list.' })).max(AUDIT_EVENT_TYPES.length));

/** The filter fields, for building other query schemas (the API adds pagination, the export its format). */
export const auditFilterFields = {
  type: typeFilter.describe('Event types (e.g. client.updated): repeat the parameter, or separate types with commas.'),
  actor: textFilter('actor', AUDIT_FILTER_LIMITS.actor, {
    pattern: new RegExp(`${UUID.source}|${API_KEY_PREFIX.source}|${EMAIL.source}`, 'i'),
    message: 'Enter an email address, a user id, an API key id or an API key prefix (opk_…).',
  }).describe('Who acted: a user’s email or id, an API key’s id or its prefix (opk_…).'),
  subject: textFilter('subject', AUDIT_FILTER_LIMITS.subject).describe('What the event is about, exactly as recorded.'),
  client: textFilter('client id', AUDIT_FILTER_LIMITS.client).describe('A client id: events whose subject it is, and token events naming it in details.clientId.'),
  ip: textFilter('IP address', AUDIT_FILTER_LIMITS.ip, { pattern: IP, message: 'Enter an IPv4 or IPv6 address.' }).describe(
    'The client IP address, exactly as recorded.',
  ),
  outcome: z
    .enum(['', 'success', 'failure'], { error: 'Choose success or failure.' })
    .optional()
    .transform((value) => (value ? value : undefined))
    .describe('success or failure.'),
  from: timeFilter('start').describe('Events at or after this time: ISO 8601, UTC unless it has an offset.'),
  to: timeFilter('end').describe('Events before this time: ISO 8601, UTC unless it has an offset.'),
};

/** `from` must come before `to`. */
export function checkAuditTimeRange(value: { from?: string | undefined; to?: string | undefined }, context: z.RefinementCtx): void {
  if (value.from && value.to && value.from >= value.to) {
    context.addIssue({ code: 'custom', path: ['to'], message: 'The end must come after the start.' });
  }
}

export const auditFilterSchema = z.object(auditFilterFields).superRefine(checkAuditTimeRange);

/** The form's values (every field as text, the types as a list). */
export type AuditFilterInput = z.input<typeof auditFilterSchema>;

/** What the actor filter holds: an id (user or API key), an email, or an API key's prefix. */
export function actorQuery(actor: string): AuditActorQuery {
  if (UUID.test(actor)) return { kind: 'id', id: actor.toLowerCase() };
  if (API_KEY_PREFIX.test(actor.toLowerCase())) return { kind: 'api_key_prefix', prefix: actor.toLowerCase() };
  return { kind: 'email', email: actor.toLowerCase() };
}

/** The filter as query parameters, in one order: for links (older pages, exports) and the form. */
export function auditFilterQuery(filter: AuditFilter): URLSearchParams {
  const query = new URLSearchParams();
  for (const type of filter.type) query.append('type', type);
  for (const name of ['actor', 'subject', 'client', 'ip', 'outcome', 'from', 'to'] as const) {
    const value = filter[name];
    if (value) query.set(name, value);
  }
  return query;
}

/** Whether any filter is set. */
export function isFiltered(filter: AuditFilter): boolean {
  return auditFilterQuery(filter).size > 0;
}

/** The filter form's values: every field as text, the types as a list. */
export interface AuditFilterFormValues {
  type: string[];
  actor: string;
  subject: string;
  client: string;
  ip: string;
  outcome: '' | AuditOutcome;
  from: string;
  to: string;
}

/** The filter as the form shows it: times as `datetime-local` values (UTC, no offset). */
export function auditFilterFormValues(filter: AuditFilter): AuditFilterFormValues {
  const local = (iso: string | undefined) => (iso ? iso.replace(/(:00)?\.000Z$/, '').replace(/Z$/, '') : '');
  return {
    type: filter.type,
    actor: filter.actor ?? '',
    subject: filter.subject ?? '',
    client: filter.client ?? '',
    ip: filter.ip ?? '',
    outcome: filter.outcome ?? '',
    from: local(filter.from),
    to: local(filter.to),
  };
}

/** A query that failed validation, as the form shows it again to be corrected (cut to the fields' sizes). */
export function rawAuditFilterFormValues(query: Record<string, string | string[] | undefined>): AuditFilterFormValues {
  const text = (name: string, max: number) => {
    const value = query[name];
    return (Array.isArray(value) ? (value[0] ?? '') : (value ?? '')).slice(0, max);
  };
  const types = query.type;
  const outcome = text('outcome', 16);
  return {
    type: (Array.isArray(types) ? types : types ? types.split(',') : []).filter((type) => (AUDIT_EVENT_TYPES as readonly string[]).includes(type)),
    actor: text('actor', AUDIT_FILTER_LIMITS.actor),
    subject: text('subject', AUDIT_FILTER_LIMITS.subject),
    client: text('client', AUDIT_FILTER_LIMITS.client),
    ip: text('ip', AUDIT_FILTER_LIMITS.ip),
    outcome: outcome === 'success' || outcome === 'failure' ? outcome : '',
    from: text('from', AUDIT_FILTER_LIMITS.time),
    to: text('to', AUDIT_FILTER_LIMITS.time),
  };
}

/** URL query parameters as the schemas read them: a name given twice becomes a list. */
export function queryRecord(search: URLSearchParams): Record<string, string | string[]> {
  const record: Record<string, string | string[]> = {};
  for (const [name, value] of search) {
    const existing = record[name];
    record[name] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  return record;
}
