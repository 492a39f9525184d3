import 'server-only';
import { getConfig } from '../config';
import type { Bytes } from '../crypto/hash';
import { readCommittedAuditEvents } from '../db/audit-stream';
import { logger } from '../log/logger';
import { auditEventRecord } from './export';

/**
 * OPTARE_AUDIT_LOG_STREAM=stdout (ASVS 16.4.3): every audit event this process records is also
 * written, once its transaction has committed, as one JSON line of the request log on stdout
 * with `audit: true` and the fields of the JSON Lines export (seq, createdAt, type, outcome,
 * actors, subject, ip, userAgent, requestId, details, prevHash, hash), so the operator's log
 * shipper carries them to a system of its own, beyond the reach of someone who can change
 * Optare's database. Details never hold secrets (lib/audit/sanitize.ts refuses them).
 *
 * An event recorded inside a caller's transaction is written only once that transaction has
 * committed: the stream reads the events back on a connection of its own, whose snapshot shows
 * only committed rows, a moment after they were recorded (a seq whose row is missing or carries
 * another hash was rolled back, and is dropped after ROLLBACK_GRACE_MS). Each process writes the
 * events it recorded itself, so N instances do not write one event N times. The line is at info
 * level whatever LOG_LEVEL says. An event pending when the process exits is not written (it
 * stays in the database and its exports).
 */

const POLL_MS = 100;
const ROLLBACK_GRACE_MS = 60_000;
const BATCH = 500;

interface Pending {
  hash: Bytes;
  since: number;
}

const GLOBAL_KEY = Symbol.for('optare.audit-log-stream');
type State = { pending: Map<bigint, Pending>; timer: NodeJS.Timeout | null; draining: Promise<void> | null };
function state(): State {
  const holder = globalThis as { [GLOBAL_KEY]?: State };
  holder[GLOBAL_KEY] ??= { pending: new Map(), timer: null, draining: null };
  return holder[GLOBAL_KEY];
}

/** Queues a just-recorded event for the stream when it is on; returns at once. */
export function streamAuditEvent(seq: bigint, hash: Bytes): void {
  if (getConfig().auditLogStream !== 'stdout') return;
  const current = state();
  current.pending.set(seq, { hash, since: Date.now() });
  current.timer ??= setTimeout(() => void drain(), 0);
}

/** Writes the pending events that have committed (tests: wait for the stream). */
export async function settleAuditLogStream(): Promise<void> {
  const current = state();
  while (current.pending.size > 0) {
    await (current.draining ?? drain());
    if (current.pending.size > 0) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

async function drain(): Promise<void> {
  const current = state();
  if (current.timer) clearTimeout(current.timer);
  current.timer = null;
  if (current.draining) return current.draining;
  current.draining = writeCommitted().finally(() => {
    current.draining = null;
    if (current.pending.size > 0 && !current.timer) current.timer = setTimeout(() => void drain(), POLL_MS);
  });
  return current.draining;
}

async function writeCommitted(): Promise<void> {
  const { pending } = state();
  const seqs = [...pending.keys()].sort((a, b) => (a < b ? -1 : 1)).slice(0, BATCH);
  let events;
  try {
    events = await readCommittedAuditEvents(seqs);
  } catch (error) {
    logger().warn({ err: error }, 'the audit log stream cannot read the events it recorded; retrying');
    return;
  }
  const stream = logger().child({ audit: true }, { level: 'info' });
  const found = new Map(events.map((event) => [event.seq, event]));
  const now = Date.now();
  for (const seq of seqs) {
    const waiting = pending.get(seq)!;
    const event = found.get(seq);
    if (event && Buffer.from(event.hash).equals(Buffer.from(waiting.hash))) {
      stream.info(auditEventRecord(event), 'audit event');
      pending.delete(seq);
    } else if (event || now - waiting.since > ROLLBACK_GRACE_MS) {
      pending.delete(seq); // rolled back (its seq since reused, or never committed)
    }
  }
}
