import 'server-only';
import { appendAuditEvent, type AuditWriter } from '../db/audit';
import { auditContentHash, canonicalJson } from './canonical';
import type { AuditEventInput } from './events';
import { sanitizeAuditEvent } from './sanitize';

export interface RecordedAuditEvent {
  seq: bigint;
  createdAt: Date;
}

/**
 * Appends an event to the tamper-evident audit chain.
 *
 * `details` must never contain secrets: no passwords, tokens, authorization codes, one-time
 * codes, keys, cookies or full OAuth query strings. Keys named like one (password, token, secret,
 * code, ...) are refused with an AuditInputError, as are unknown types and malformed details.
 * Strings are stripped of control characters and truncated to their column sizes.
 *
 * Pass the caller's transaction as `client` to record the event atomically with the change it
 * describes: it is then kept only if that transaction commits.
 */
export async function recordAuditEvent(input: AuditEventInput, client?: AuditWriter): Promise<RecordedAuditEvent> {
  const event = sanitizeAuditEvent(input);
  // The column keeps milliseconds; a Date already has exactly that precision.
  const createdAt = new Date();
  const { seq } = await appendAuditEvent(
    {
      ...event,
      createdAt,
      detailsJson: canonicalJson(event.details),
      contentHash: auditContentHash({ ...event, createdAt }),
    },
    client,
  );
  return { seq, createdAt };
}
