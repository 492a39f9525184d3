import { REDACTED, type AuditDetailValue, type AuditFieldChange } from '../audit/events';

type Comparable = Record<string, unknown>;

/**
 * The fields that differ between `before` and `after`, for the `changes` audit detail. Fields in
 * `secret` are recorded as changed without their values. Values must be strings, numbers,
 * booleans, null or lists of strings (what the audit log stores); anything else is recorded as
 * its JSON text.
 */
export function fieldChanges(before: Comparable, after: Comparable, secret: readonly string[] = []): AuditFieldChange[] {
  const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const changes: AuditFieldChange[] = [];
  for (const field of fields) {
    const was = auditValue(before[field]);
    const now = auditValue(after[field]);
    if (JSON.stringify(was) === JSON.stringify(now)) continue;
    changes.push(secret.includes(field) ? { field, before: REDACTED, after: REDACTED } : { field, before: was, after: now });
  }
  return changes;
}

function auditValue(value: unknown): AuditDetailValue {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value;
  return JSON.stringify(value);
}
