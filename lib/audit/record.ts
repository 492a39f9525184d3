import 'server-only';
import { appendAuditEvent, type AuditWriter } from '../db/audit';
import { randomBytes } from 'node:crypto';
import { canonicalJson } from './canonical';
import { streamAuditEvent } from './log-stream';
import type { AuditEventInput } from './events';
import { auditContentHashV2, personalDigest, PERSONAL_SALT_BYTES } from './personal';
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
 * describes: it is then kept only if that transaction commits (and only then written to the
 * request log with OPTARE_AUDIT_LOG_STREAM=stdout, lib/audit/log-stream.ts).
 */
export async function recordAuditEvent(input: AuditEventInput, client?: AuditWriter): Promise<RecordedAuditEvent> {
  const event = sanitizeAuditEvent(input);
  // The column keeps milliseconds; a Date already has exactly that precision.
  const createdAt = new Date();
  // Version 2: the hash commits to a salted digest of the personal fields (lib/audit/personal.ts).
  const personalSalt = new Uint8Array(randomBytes(PERSONAL_SALT_BYTES));
  const digest = personalDigest({ ...event, createdAt }, personalSalt);
  const { seq, hash } = await appendAuditEvent(
    {
      ...event,
      createdAt,
      detailsJson: canonicalJson(event.details),
      contentHash: auditContentHashV2({ ...event, createdAt }, digest),
      personalDigest: digest,
      personalSalt,
    },
    client,
  );
  streamAuditEvent(seq, hash);
  return { seq, createdAt };
}
