import 'server-only';
import { readAuditEventsAfter, type AuditEventQuery } from '../db/audit-query';
import type { StoredAuditEvent } from '../db/audit';
import { logger } from '../log/logger';

/**
 * Exporting audit events as CSV (RFC 4180) or JSON Lines, streamed: the stream reads one batch
 * of rows from the database each time its reader wants more (a keyset walk on seq, oldest
 * first), so an export of millions of events holds one batch in memory, and a client that reads
 * slowly slows the reading down (back-pressure) instead of filling the server's memory.
 */

export const AUDIT_EXPORT_FORMATS = ['csv', 'jsonl'] as const;
export type AuditExportFormat = (typeof AUDIT_EXPORT_FORMATS)[number];

export const AUDIT_EXPORT_CONTENT_TYPES: Record<AuditExportFormat, string> = {
  csv: 'text/csv; charset=utf-8; header=present',
  jsonl: 'application/jsonl; charset=utf-8',
};

export const AUDIT_EXPORT_BATCH_SIZE = 1000;

/** An event as the admin API and the JSON Lines export give it: seq as text, hashes in hex. */
export interface AuditEventRecord {
  seq: string;
  createdAt: string;
  type: string;
  outcome: string;
  actorUserId: string | null;
  actorApiKeyId: string | null;
  subject: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  details: unknown;
  prevHash: string;
  hash: string;
}

export function auditEventRecord(event: StoredAuditEvent): AuditEventRecord {
  return {
    seq: event.seq.toString(),
    createdAt: event.createdAt.toISOString(),
    type: event.type,
    outcome: event.outcome,
    actorUserId: event.actorUserId,
    actorApiKeyId: event.actorApiKeyId,
    subject: event.subject,
    ip: event.ip,
    userAgent: event.userAgent,
    requestId: event.requestId,
    details: event.details,
    prevHash: Buffer.from(event.prevHash).toString('hex'),
    hash: Buffer.from(event.hash).toString('hex'),
  };
}

export const CSV_COLUMNS = [
  'seq',
  'created_at',
  'type',
  'outcome',
  'actor_user_id',
  'actor_api_key_id',
  'subject',
  'ip',
  'user_agent',
  'request_id',
  'details',
  'prev_hash',
  'hash',
] as const;

// A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * One CSV field: a leading apostrophe when a spreadsheet would read it as a formula (OWASP's
 * advice), then quoted, with inner quotes doubled, when it holds a quote, a comma or a line
 * break (RFC 4180 §2). null is the empty field.
 */
export function csvField(value: string | null): string {
  if (value === null || value === '') return '';
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** A CSV record, ended by CRLF (RFC 4180 §2). */
export function csvRecord(fields: readonly (string | null)[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}

export const CSV_HEADER = csvRecord(CSV_COLUMNS);

export function csvLine(event: StoredAuditEvent): string {
  const record = auditEventRecord(event);
  return csvRecord([
    record.seq,
    record.createdAt,
    record.type,
    record.outcome,
    record.actorUserId,
    record.actorApiKeyId,
    record.subject,
    record.ip,
    record.userAgent,
    record.requestId,
    JSON.stringify(record.details ?? {}),
    record.prevHash,
    record.hash,
  ]);
}

/** One JSON Lines record: JSON.stringify escapes line breaks, so each event is one line. */
export function jsonLine(event: StoredAuditEvent): string {
  return `${JSON.stringify(auditEventRecord(event))}\n`;
}

export interface AuditExportStreamOptions {
  /** The last seq the export covers: events recorded after it started are left out. */
  throughSeq: bigint;
  batchSize?: number;
  /** Called after each database read with the number of rows it returned (for tests and benchmarks). */
  onBatch?: (rows: number) => void;
}

/** The size of the chunks a batch is encoded into. */
const CHUNK_BYTES = 64 * 1024;

/**
 * Encodes lines into UTF-8 chunks of about CHUNK_BYTES, each line written straight into the
 * chunk: no batch-sized string is ever built (a large string lives in V8's large-object space
 * until a full collection, so one per batch would pile up as garbage during a long export).
 */
class ChunkWriter {
  private readonly encoder = new TextEncoder();
  private buffer = new Uint8Array(CHUNK_BYTES);
  private used = 0;
  readonly chunks: Uint8Array[] = [];

  write(text: string): void {
    // A UTF-16 code unit takes at most 3 bytes in UTF-8.
    if (this.used + text.length * 3 > this.buffer.length) {
      this.flush();
      if (text.length * 3 > this.buffer.length) {
        this.chunks.push(this.encoder.encode(text));
        return;
      }
    }
    this.used += this.encoder.encodeInto(text, this.buffer.subarray(this.used)).written;
  }

  flush(): void {
    if (this.used === 0) return;
    this.chunks.push(this.buffer.subarray(0, this.used));
    this.buffer = new Uint8Array(CHUNK_BYTES);
    this.used = 0;
  }
}

/**
 * The matching events with seq ≤ throughSeq, oldest first, encoded as UTF-8 CSV (with a header
 * row) or JSON Lines. A batch is read only when the reader asks for more (the queue holds
 * nothing ahead: highWaterMark 0); cancelling the stream stops the reading.
 */
export function auditExportStream(query: AuditEventQuery, format: AuditExportFormat, options: AuditExportStreamOptions): ReadableStream<Uint8Array> {
  const batchSize = options.batchSize ?? AUDIT_EXPORT_BATCH_SIZE;
  const encode = format === 'csv' ? csvLine : jsonLine;
  let afterSeq = 0n;
  let headerSent = format !== 'csv';
  let cancelled = false;

  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let rows: StoredAuditEvent[];
        try {
          rows = await readAuditEventsAfter(query, afterSeq, options.throughSeq, batchSize);
        } catch (error) {
          // The response is already under way: all that can be done is to end it in error.
          logger().error({ err: error, afterSeq: afterSeq.toString() }, 'audit export failed while reading the database');
          controller.error(error);
          return;
        }
        if (cancelled) return;
        options.onBatch?.(rows.length);
        const writer = new ChunkWriter();
        if (!headerSent) writer.write(CSV_HEADER);
        headerSent = true;
        for (const row of rows) writer.write(encode(row));
        writer.flush();
        for (const chunk of writer.chunks) controller.enqueue(chunk);
        const last = rows.at(-1);
        if (rows.length < batchSize || !last) controller.close();
        else afterSeq = last.seq;
      },
      cancel() {
        cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
}
