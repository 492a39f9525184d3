import { AUDIT_EVENT_TYPES, type AuditEventInput } from './events';
import type { Json } from './canonical';

/** An event that cannot be recorded as given: a programming error, never user input. */
export class AuditInputError extends Error {
  override name = 'AuditInputError';
  constructor(
    readonly code: 'invalid_event' | 'invalid_detail' | 'too_many_details' | 'secret_detail',
    message: string,
  ) {
    super(message);
  }
}

export const AUDIT_LIMITS = {
  ip: 64,
  userAgent: 512,
  subject: 320,
  requestId: 64,
  detailString: 500,
  detailKeys: 20,
  detailListItems: 20,
  changes: 40,
} as const;

/** The stored form of an event, minus createdAt and the hashes. */
export interface SanitizedAuditEvent {
  type: string;
  outcome: string;
  actorUserId: string | null;
  actorApiKeyId: string | null;
  subject: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  details: { [key: string]: Json };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DETAIL_KEY = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
// Matched against the key lower-cased with separators removed (accessToken, access_token → accesstoken).
const SECRET_LIKE_KEY = /password|passwd|passphrase|token|secret|code|credential|apikey|privatekey|cookie|authorization/;
// C0 and C1 controls (NUL included; PostgreSQL refuses NUL in text and jsonb), DEL, and the bidi
// overrides and isolates that make an audit line display as something other than what it says.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
// A surrogate half without its partner cannot be stored as UTF-8; it would come back as U+FFFD.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Makes an event safe and faithful to store: strips control characters, truncates long strings
 * to their column sizes, and refuses (throws AuditInputError) what must not be recorded, above
 * all detail keys that look like they hold a secret. Nothing else is changed or dropped.
 */
export function sanitizeAuditEvent(input: AuditEventInput): SanitizedAuditEvent {
  if (!(AUDIT_EVENT_TYPES as readonly string[]).includes(input.type)) {
    throw new AuditInputError('invalid_event', `unknown audit event type ${JSON.stringify(input.type)}`);
  }
  if (input.outcome !== 'success' && input.outcome !== 'failure') {
    throw new AuditInputError('invalid_event', `unknown audit outcome ${JSON.stringify(input.outcome)}`);
  }
  return {
    type: input.type,
    outcome: input.outcome,
    actorUserId: normalizeUserId(input.actorUserId ?? null),
    actorApiKeyId: normalizeUserId(input.actorApiKeyId ?? null),
    subject: cleanOptional(input.subject, AUDIT_LIMITS.subject),
    ip: cleanOptional(input.context.ip, AUDIT_LIMITS.ip),
    userAgent: cleanOptional(input.context.userAgent, AUDIT_LIMITS.userAgent),
    requestId: cleanOptional(input.context.requestId, AUDIT_LIMITS.requestId),
    details: sanitizeDetails(input.details ?? {}),
  };
}

/** Removes control characters and lone surrogates, then cuts to `max` UTF-16 units without splitting a pair. */
export function cleanText(text: string, max: number): string {
  const clean = text.replace(CONTROL_CHARACTERS, '').replace(LONE_SURROGATE, '\ufffd');
  if (clean.length <= max) return clean;
  const cut = clean.slice(0, max);
  return /[\ud800-\udbff]$/.test(cut) ? cut.slice(0, -1) : cut;
}

export function isSecretLikeKey(key: string): boolean {
  return SECRET_LIKE_KEY.test(key.toLowerCase().replace(/[^a-z0-9]/g, ''));
}

function cleanOptional(text: string | null | undefined, max: number): string | null {
  return text == null ? null : cleanText(text, max);
}

// The column is a uuid, which PostgreSQL returns lower-cased: store that form so the hash matches.
function normalizeUserId(id: string | null): string | null {
  if (id === null) return null;
  if (!UUID.test(id)) throw new AuditInputError('invalid_event', 'an actor id must be a UUID');
  return id.toLowerCase();
}

function sanitizeDetails(details: Record<string, unknown>): { [key: string]: Json } {
  const keys = Object.keys(details);
  if (keys.length > AUDIT_LIMITS.detailKeys) {
    throw new AuditInputError(
      'too_many_details',
      `audit details hold ${keys.length} keys; at most ${AUDIT_LIMITS.detailKeys} are allowed`,
    );
  }
  const clean: { [key: string]: Json } = {};
  for (const key of keys) {
    if (!DETAIL_KEY.test(key)) {
      throw new AuditInputError('invalid_detail', `audit detail key ${JSON.stringify(key)} is not an identifier`);
    }
    if (isSecretLikeKey(key)) {
      throw new AuditInputError(
        'secret_detail',
        `audit detail key "${key}" looks like it holds a secret; audit events must never contain secrets`,
      );
    }
    clean[key] = key === 'changes' ? sanitizeChanges(details[key]) : sanitizeDetailValue(key, details[key]);
  }
  return clean;
}

function sanitizeDetailValue(key: string, value: unknown): Json {
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'string') return cleanText(value, AUDIT_LIMITS.detailString);
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) {
    const items = value.map((item: string) => cleanText(item, AUDIT_LIMITS.detailString));
    if (items.length <= AUDIT_LIMITS.detailListItems) return items;
    // Long lists (e.g. requested scopes) are cut, saying how much was left out.
    const kept = items.slice(0, AUDIT_LIMITS.detailListItems - 1);
    return [...kept, `…+${items.length - kept.length} more`];
  }
  throw new AuditInputError(
    'invalid_detail',
    `audit detail "${key}" must be a string, a finite number, a boolean, null or a list of strings`,
  );
}

/** The `changes` detail: a list of `{ field, before, after }` (see AuditFieldChange). */
function sanitizeChanges(value: unknown): Json {
  if (!Array.isArray(value) || value.length > AUDIT_LIMITS.changes) {
    throw new AuditInputError('invalid_detail', `audit detail "changes" must be a list of at most ${AUDIT_LIMITS.changes} changes`);
  }
  return value.map((change: unknown) => {
    if (typeof change !== 'object' || change === null || typeof (change as { field?: unknown }).field !== 'string') {
      throw new AuditInputError('invalid_detail', 'each audit change must be { field, before, after }');
    }
    const { field, before, after } = change as { field: string; before: unknown; after: unknown };
    if (!DETAIL_KEY.test(field)) throw new AuditInputError('invalid_detail', `audit change field ${JSON.stringify(field)} is not an identifier`);
    return { field, before: sanitizeDetailValue(field, before), after: sanitizeDetailValue(field, after) };
  });
}
