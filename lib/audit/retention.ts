import 'server-only';
import type { AuditContext } from './events';
import { recordAuditEvent } from './record';
import { deleteAuditEventsThrough, findRetentionBoundary, withAuditRetentionLock } from '../db/audit-retention';

const DAY_MS = 86_400_000;
const SERVER_CONTEXT: AuditContext = { ip: null, userAgent: 'optare-server', requestId: null };

/** The audit subject of `audit.pruned` events. */
export const AUDIT_LOG_SUBJECT = 'audit_log';

export interface PruneResult {
  deleted: number;
  /** The last event deleted; the chain now starts after it. */
  throughSeq: bigint;
}

/**
 * Deletes the audit events older than `retentionDays` (0: keep everything). The chain stays
 * verifiable: only a prefix of it goes (every event up to the newest one older than the
 * cut-off), and in the same transaction `audit.pruned` records which (throughSeq) and the hash of
 * the last one deleted (lastHash), which is the oldest kept event's prev_hash. Verification
 * (lib/audit/verify.ts) starts from that hash and requires such an event in the chain it checks,
 * so a deletion made outside this job is still reported. Instances take turns (advisory lock).
 */
export async function pruneAuditEvents(retentionDays: number, now = new Date(), context: AuditContext = SERVER_CONTEXT): Promise<PruneResult | null> {
  if (!Number.isInteger(retentionDays) || retentionDays <= 0) return null;
  const cutoff = new Date(now.getTime() - retentionDays * DAY_MS);
  return withAuditRetentionLock(async (tx) => {
    const boundary = await findRetentionBoundary(cutoff, tx);
    if (!boundary) return null;
    const deleted = await deleteAuditEventsThrough(boundary.seq, tx);
    if (deleted === 0) return null;
    await recordAuditEvent(
      {
        type: 'audit.pruned',
        outcome: 'success',
        subject: AUDIT_LOG_SUBJECT,
        details: {
          throughSeq: Number(boundary.seq),
          lastHash: Buffer.from(boundary.hash).toString('hex'),
          retentionDays,
          deleted,
          olderThan: cutoff.toISOString(),
        },
        context,
      },
      tx,
    );
    return { deleted, throughSeq: boundary.seq };
  });
}
