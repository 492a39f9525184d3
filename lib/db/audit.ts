import 'server-only';
import { db, queryRows } from './client';
import type { Prisma } from './generated/client';
import type { Bytes } from '../crypto/hash';

/** The database or a caller's transaction: an event recorded through a transaction commits with it. */
export type AuditWriter = Pick<Prisma.TransactionClient, '$queryRawUnsafe'>;

/** Prisma's select of an event's content: every column its hash covers, without the chain hashes. */
export const AUDIT_CONTENT_FIELDS = {
  seq: true,
  createdAt: true,
  type: true,
  outcome: true,
  actorUserId: true,
  actorApiKeyId: true,
  subject: true,
  ip: true,
  userAgent: true,
  requestId: true,
  details: true,
} as const;

export interface NewAuditEventRow {
  createdAt: Date;
  type: string;
  actorUserId: string | null;
  actorApiKeyId: string | null;
  subject: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  outcome: string;
  /** Serialised once by the caller, so the stored JSON is exactly what was hashed. */
  detailsJson: string;
  /** SHA-256 of the event's canonical content; the chain hash is computed from it in SQL. */
  contentHash: Bytes;
  /** Version 2 (lib/audit/personal.ts): the salted digest of the personal fields, and its salt. */
  personalDigest: Bytes;
  personalSalt: Bytes;
}

export interface AppendedAuditEvent {
  seq: bigint;
  hash: Bytes;
}

export interface StoredAuditEvent {
  seq: bigint;
  createdAt: Date;
  type: string;
  actorUserId: string | null;
  actorApiKeyId: string | null;
  subject: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  outcome: string;
  details: Prisma.JsonValue;
  prevHash: Bytes;
  hash: Bytes;
}

/** An event as the chain verifier reads it: with how its content hash is made (lib/audit/personal.ts). */
export interface ChainAuditEvent extends StoredAuditEvent {
  contentVersion: number;
  personalDigest: Bytes | null;
  pseudonymisedAt: Date | null;
  legacyContentHash: Bytes | null;
  /** The salt of the personal digest (audit_personal_salts), null once pseudonymised or for v1. */
  personalSalt: Bytes | null;
}

export interface AuditChainHeadRow {
  seq: bigint;
  hash: Bytes;
  prevHash: Bytes;
}

const APPEND_AUDIT_EVENT = `
  WITH head AS (
    UPDATE "audit_chain_head"
    SET "seq" = "seq" + 1,
        "prev_hash" = "hash",
        "hash" = sha256("hash" || int8send("seq" + 1) || $1::bytea)
    WHERE "id" = 1
    RETURNING "seq", "prev_hash", "hash"
  ),
  event AS (
    INSERT INTO "audit_events"
      ("seq", "created_at", "type", "actor_user_id", "subject", "ip", "user_agent", "request_id",
       "outcome", "actor_api_key_id", "details", "prev_hash", "hash", "content_version", "personal_digest")
    SELECT head."seq", $2::timestamptz, $3, $4::uuid, $5, $6, $7, $8, $9, $10::uuid, $11::jsonb,
           head."prev_hash", head."hash", 2, $12::bytea
    FROM head
    RETURNING "seq", "hash"
  ),
  salt AS (
    INSERT INTO "audit_personal_salts" ("seq", "salt") SELECT event."seq", $13::bytea FROM event
  )
  SELECT "seq", "hash" FROM event`;

/**
 * Appends one event in a single statement: advancing the chain head and inserting the row happen
 * together, and the head's row lock makes concurrent appenders (in this process or in another
 * Optare instance on the same PostgreSQL) take the next sequence number one after the other.
 * hash = SHA-256(prev_hash || seq as 8 bytes big-endian || content hash). Within a caller's
 * transaction it goes through Prisma; on its own, to the driver (prepared on PostgreSQL), since
 * sign-ins and consents each record one.
 */
export async function appendAuditEvent(row: NewAuditEventRow, client?: AuditWriter): Promise<AppendedAuditEvent> {
  const values = [
    row.contentHash, row.createdAt, row.type, row.actorUserId, row.subject, row.ip, row.userAgent, row.requestId,
    row.outcome, row.actorApiKeyId, row.detailsJson, row.personalDigest, row.personalSalt,
  ];
  const appended = client
    ? await client.$queryRawUnsafe<AppendedAuditEvent[]>(APPEND_AUDIT_EVENT, ...values)
    : (await queryRows<{ seq: string; hash: Bytes }>('optare.append_audit_event', APPEND_AUDIT_EVENT, values)).map((event) => ({ seq: BigInt(event.seq), hash: event.hash }));
  const first = appended[0];
  if (!first) throw new Error('audit_chain_head is missing: the database was not migrated');
  return first;
}

/** Up to `limit` events with seq in (afterSeq, throughSeq], oldest first: keyset pagination. */
export async function readAuditEventsBatch(afterSeq: bigint, throughSeq: bigint, limit: number): Promise<ChainAuditEvent[]> {
  const events = await db().auditEvent.findMany({
    where: { seq: { gt: afterSeq, lte: throughSeq } },
    orderBy: { seq: 'asc' },
    take: limit,
  });
  const last = events.at(-1);
  if (!last) return [];
  const salts = await db().auditPersonalSalt.findMany({ where: { seq: { gt: afterSeq, lte: last.seq } } });
  const saltOf = new Map(salts.map((row) => [row.seq, row.salt]));
  return events.map((event) => ({ ...event, personalSalt: saltOf.get(event.seq) ?? null }));
}

/** The lowest seq above `seq`, if any event lies beyond it. */
export async function findAuditSeqAfter(seq: bigint): Promise<bigint | null> {
  const next = await db().auditEvent.findFirst({
    where: { seq: { gt: seq } },
    orderBy: { seq: 'asc' },
    select: { seq: true },
  });
  return next?.seq ?? null;
}

/** The details of the newest event of `type` (and `subject`, when given), or null when none was recorded. */
export async function findLatestAuditDetails(type: string, subject?: string): Promise<Record<string, unknown> | null> {
  const latest = await db().auditEvent.findFirst({
    where: { type, ...(subject !== undefined ? { subject } : {}) },
    orderBy: { seq: 'desc' },
    select: { details: true },
  });
  const details = latest?.details;
  return details && typeof details === 'object' && !Array.isArray(details) ? details : null;
}

export function readAuditChainHead(): Promise<AuditChainHeadRow | null> {
  return db().auditChainHead.findUnique({ where: { id: 1 }, select: { seq: true, hash: true, prevHash: true } });
}

/**
 * One page of a user's own events (actor_user_id), newest first: seq below `beforeSeq` when
 * given. Served by the (actor_user_id, seq) index.
 */
export function readUserAuditEvents(userId: string, beforeSeq: bigint | null, limit: number) {
  return db().auditEvent.findMany({
    where: { actorUserId: userId, ...(beforeSeq !== null ? { seq: { lt: beforeSeq } } : {}) },
    orderBy: { seq: 'desc' },
    take: limit,
    select: { seq: true, createdAt: true, type: true, outcome: true, ip: true, userAgent: true, details: true },
  });
}
