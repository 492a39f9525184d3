import 'server-only';
import { constantTimeEqual } from '../crypto/hash';
import {
  findAuditSeqAfter,
  readAuditChainHead,
  readAuditEventsBatch,
  type ChainAuditEvent,
  type StoredAuditEvent,
} from '../db/audit';
import { findOldestAuditEvent } from '../db/audit-retention';
import { auditContentHash, type Json } from './canonical';
import { chainHash, GENESIS_HASH } from './chain';
import { auditContentHashV2, CONTENT_VERSION_PERSONAL_DIGEST, personalDigest } from './personal';

export type ChainBreakCode =
  | 'missing_records'
  | 'broken_link'
  | 'hash_mismatch'
  | 'head_mismatch'
  | 'head_missing'
  | 'records_after_head';

export interface ChainBreak {
  /** The first record that is missing or wrong. */
  seq: number;
  code: ChainBreakCode;
  reason: string;
}

export type AuditChainVerification =
  /** `prunedThrough`: the retention job deleted the events up to this seq; the chain starts after it. */
  | { ok: true; events: number; prunedThrough?: number }
  | { ok: false; events: number; firstBroken: ChainBreak };

const DEFAULT_BATCH_SIZE = 500;

/**
 * Walks the whole chain oldest first, a batch at a time (constant memory), and reports the first
 * break: a record whose content or hash was changed, a missing record, a broken prev_hash link,
 * or a chain head that does not point at the last record (the newest records were deleted).
 * Events appended while it runs are left for the next run.
 *
 * After the retention job deleted the oldest events (lib/audit/retention.ts), the walk starts at
 * the oldest kept event, from its prev_hash, and that starting point must be vouched for by an
 * `audit.pruned` event in the verified chain naming the same seq and hash; without one, the
 * missing first records are reported.
 */
export async function verifyAuditChain(options: { batchSize?: number } = {}): Promise<AuditChainVerification> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  // The head first: every event up to its seq had committed when it was read.
  const head = await readAuditChainHead();
  if (!head) return broken(0, { seq: 0, code: 'head_missing', reason: 'the audit chain head row is missing' });

  let checked = 0;
  let last = { seq: 0n, hash: GENESIS_HASH as Uint8Array, prevHash: GENESIS_HASH as Uint8Array };
  // Pruned: start after the last deleted event, trusting the oldest kept one's prev_hash until an
  // audit.pruned event confirms it.
  const oldest = await findOldestAuditEvent();
  const pruned = oldest && oldest.seq > 1n && oldest.seq <= head.seq ? { seq: oldest.seq - 1n, hash: oldest.prevHash } : null;
  let vouched = false;
  // Pseudonymised events, and the pseudonyms user.deleted events announce: each of the former
  // must carry one of the latter (a row marked pseudonymised by hand is reported).
  const pseudonymised: { seq: bigint; ids: (string | null)[] }[] = [];
  const announced = new Set<string>();
  if (pruned) last = { seq: pruned.seq, hash: pruned.hash, prevHash: GENESIS_HASH };
  for (;;) {
    const batch = await readAuditEventsBatch(last.seq, head.seq, batchSize);
    for (const event of batch) {
      checked++;
      const problem = checkLink(event, last.seq, last.hash) ?? checkHash(event);
      if (problem) return broken(checked, problem);
      if (pruned && !vouched) vouched = vouchesFor(event, pruned);
      if (event.pseudonymisedAt) pseudonymised.push({ seq: event.seq, ids: [event.actorUserId, event.subject] });
      const pseudonym = announcedPseudonym(event);
      if (pseudonym) announced.add(pseudonym);
      last = event;
    }
    if (batch.length < batchSize) break;
  }
  const unexplained = pseudonymised.find((event) => !event.ids.some((id) => id !== null && announced.has(id)));
  if (unexplained) {
    return broken(checked, {
      seq: Number(unexplained.seq),
      code: 'hash_mismatch',
      reason: `record ${unexplained.seq} was altered: it is marked pseudonymised, but no user.deleted event names its pseudonym`,
    });
  }
  if (pruned && !vouched) {
    return broken(checked, {
      seq: 1,
      code: 'missing_records',
      reason: `${missingRange(1n, pruned.seq)} missing before seq ${pruned.seq + 1n}, and no audit.pruned event records their deletion`,
    });
  }

  if (last.seq < head.seq) {
    return broken(checked, {
      seq: Number(last.seq + 1n),
      code: 'head_mismatch',
      reason: `head mismatch: the chain head is at seq ${head.seq} but the last record is seq ${last.seq}: ${missingRange(last.seq + 1n, head.seq)} missing (the newest records were deleted)`,
    });
  }
  if (!constantTimeEqual(last.hash, head.hash) || !constantTimeEqual(last.prevHash, head.prevHash)) {
    return broken(checked, {
      seq: Number(head.seq),
      code: 'head_mismatch',
      reason: `head mismatch: the chain head's hashes differ from those of record ${head.seq}`,
    });
  }

  const beyond = await findAuditSeqAfter(head.seq);
  // A record beyond the head is legitimate only if it was appended (moving the head) meanwhile.
  if (beyond !== null && ((await readAuditChainHead())?.seq ?? 0n) < beyond) {
    return broken(checked, {
      seq: Number(beyond),
      code: 'records_after_head',
      reason: `record ${beyond} lies beyond the chain head (seq ${head.seq}): it was not appended through Optare`,
    });
  }
  return pruned ? { ok: true, events: checked, prunedThrough: Number(pruned.seq) } : { ok: true, events: checked };
}

/** Whether `event` is the retention job's record of deleting every event up to `pruned` (its seq and hash). */
function vouchesFor(event: StoredAuditEvent, pruned: { seq: bigint; hash: Uint8Array }): boolean {
  if (event.type !== 'audit.pruned' || event.outcome !== 'success') return false;
  const details = event.details as Record<string, unknown> | null;
  return (
    typeof details === 'object' &&
    details !== null &&
    details.throughSeq === Number(pruned.seq) &&
    details.lastHash === Buffer.from(pruned.hash).toString('hex')
  );
}

function checkLink(event: StoredAuditEvent, previousSeq: bigint, previousHash: Uint8Array): ChainBreak | null {
  const expectedSeq = previousSeq + 1n;
  if (event.seq !== expectedSeq) {
    return {
      seq: Number(expectedSeq),
      code: 'missing_records',
      reason: `${missingRange(expectedSeq, event.seq - 1n)} missing before seq ${event.seq}`,
    };
  }
  if (!constantTimeEqual(event.prevHash, previousHash)) {
    const previous = previousSeq === 0n ? 'the genesis hash' : `the hash of record ${previousSeq}`;
    return {
      seq: Number(event.seq),
      code: 'broken_link',
      reason: `record ${event.seq}'s prev_hash does not match ${previous}: one of them was rewritten`,
    };
  }
  return null;
}

/** The pseudonym a `user.deleted` event announces (details.pseudonym), if it is one. */
function announcedPseudonym(event: StoredAuditEvent): string | null {
  if (event.type !== 'user.deleted' || event.outcome !== 'success') return null;
  const details = event.details as Record<string, unknown> | null;
  return typeof details === 'object' && details !== null && typeof details.pseudonym === 'string' ? details.pseudonym : null;
}

function checkHash(event: ChainAuditEvent): ChainBreak | null {
  const altered = (why = 'its content (or stored hash) no longer matches its hash'): ChainBreak => ({
    seq: Number(event.seq),
    code: 'hash_mismatch',
    reason: `record ${event.seq} was altered: ${why}`,
  });
  const content = contentHashOf(event);
  if (typeof content === 'string') return altered(content);
  return constantTimeEqual(chainHash(event.prevHash, event.seq, content), event.hash) ? null : altered();
}

/**
 * The content hash the chain should commit to, or why none can be computed.
 * - v1, as written: SHA-256 of every field.
 * - v1, pseudonymised: the hash stored at pseudonymisation (only the chain link is checked).
 * - v2 with its salt: the personal digest recomputed from the row (and equal to the stored one).
 * - v2, pseudonymised: the stored personal digest stands for the personal fields; the rest is checked.
 */
function contentHashOf(event: ChainAuditEvent): Uint8Array | string {
  const content = { ...event, details: event.details as Json };
  try {
    if (event.contentVersion === 1) {
      if (event.pseudonymisedAt) return event.legacyContentHash ?? 'it is marked pseudonymised without its original content hash';
      return auditContentHash(content);
    }
    if (event.contentVersion !== CONTENT_VERSION_PERSONAL_DIGEST || !event.personalDigest) return 'its content version is unknown';
    if (event.personalSalt) {
      if (event.pseudonymisedAt) return 'it is marked pseudonymised but still has its salt';
      const digest = personalDigest(content, event.personalSalt);
      if (!constantTimeEqual(digest, event.personalDigest)) return 'its personal fields no longer match their digest';
      return auditContentHashV2(content, digest);
    }
    if (!event.pseudonymisedAt) return 'the salt of its personal fields is missing';
    return auditContentHashV2(content, event.personalDigest);
  } catch {
    return 'its details are not JSON Optare writes'; // e.g. a number JSON cannot represent
  }
}

function missingRange(from: bigint, to: bigint): string {
  return from === to ? `record ${from} is` : `records ${from}..${to} are`;
}

function broken(events: number, firstBroken: ChainBreak): AuditChainVerification {
  return { ok: false, events, firstBroken };
}
