import 'server-only';
import { db } from './client';
import type { Prisma } from './generated/client';
import type { Bytes } from '../crypto/hash';

/**
 * Deleting the oldest audit events (the retention setting). Queries only: the rules, and the
 * `audit.pruned` event recorded with every deletion, live in lib/audit/retention.ts.
 */

/** The pg_advisory_xact_lock key that lets one instance at a time prune (an arbitrary constant). */
const RETENTION_LOCK = 0x6f70746172_617564n; // "optareaud"

/** How long one pruning may take: deleting a long history in one statement can outlast OPTARE_DATABASE_STATEMENT_TIMEOUT. */
const RETENTION_TIMEOUT_MS = 120_000;

export function withAuditRetentionLock<T>(work: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
  return db().$transaction(
    async (tx) => {
      // For this transaction only (is_local): its statements get the transaction's own limit.
      await tx.$executeRaw`SELECT set_config('statement_timeout', ${String(RETENTION_TIMEOUT_MS)}, true)`;
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${RETENTION_LOCK})`;
      return work(tx);
    },
    { maxWait: 15_000, timeout: RETENTION_TIMEOUT_MS },
  );
}

/** The newest event created before `cutoff` (seq and hash): everything up to it may go. */
export async function findRetentionBoundary(cutoff: Date, tx: Prisma.TransactionClient): Promise<{ seq: bigint; hash: Bytes } | null> {
  const rows = await tx.$queryRaw<{ seq: bigint; hash: Bytes }[]>`
    SELECT "seq", "hash" FROM "audit_events"
    WHERE "seq" = (SELECT max("seq") FROM "audit_events" WHERE "created_at" < ${cutoff}::timestamptz)`;
  return rows[0] ?? null;
}

/**
 * Deletes the events with seq up to `throughSeq`: the only DELETE the append-only trigger lets
 * through, because this transaction says it is the retention job (the setting ends with it).
 */
export async function deleteAuditEventsThrough(throughSeq: bigint, tx: Prisma.TransactionClient): Promise<number> {
  await tx.$executeRaw`SELECT set_config('optare.audit_retention', 'on', true)`;
  const deleted = await tx.$executeRaw`DELETE FROM "audit_events" WHERE "seq" <= ${throughSeq}`;
  await tx.$executeRaw`DELETE FROM "audit_personal_salts" WHERE "seq" <= ${throughSeq}`;
  await tx.$executeRaw`SELECT set_config('optare.audit_retention', 'off', true)`;
  return deleted;
}

/** The oldest event kept (its seq and prev_hash), or null when there is none. */
export function findOldestAuditEvent(): Promise<{ seq: bigint; prevHash: Bytes } | null> {
  return db().auditEvent.findFirst({ orderBy: { seq: 'asc' }, select: { seq: true, prevHash: true } });
}
