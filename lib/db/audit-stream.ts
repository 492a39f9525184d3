import 'server-only';
import { db } from './client';
import { AUDIT_CONTENT_FIELDS, type StoredAuditEvent } from './audit';

/**
 * The committed audit events among `seqs` (on a connection of its own, so an event recorded in a
 * transaction that has not committed yet, or rolled back, is not there). For the audit log
 * stream (lib/audit/log-stream.ts).
 */
export async function readCommittedAuditEvents(seqs: readonly bigint[]): Promise<StoredAuditEvent[]> {
  if (seqs.length === 0) return [];
  return db().auditEvent.findMany({
    where: { seq: { in: [...seqs] } },
    orderBy: { seq: 'asc' },
    select: { ...AUDIT_CONTENT_FIELDS, prevHash: true, hash: true },
  });
}
