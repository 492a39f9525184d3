import 'server-only';
import { db, pgPool } from './client';
import type { Prisma } from './generated/client';
import type { StoredAuditEvent } from './audit';

/**
 * Reading the audit log for the admin console and the admin API: filtered pages by seq keyset,
 * one event, and the look-ups that turn the actor filter and the actor columns into people and
 * keys. Queries only; the rules (what a filter means, who may read) live in lib/admin/audit-log.ts.
 *
 * The filters map onto the indexes on (type, created_at), (actor_user_id, seq),
 * (actor_api_key_id, seq), (subject, seq) and (created_at); the client filter also reads
 * details->>'clientId', which no index covers.
 */

/** Filters over audit_events; every one set must hold (AND). */
export interface AuditEventQuery {
  types?: readonly string[];
  /** Events whose actor is one of these users or API keys (either list may be empty). */
  actor?: { userIds: readonly string[]; apiKeyIds: readonly string[] };
  subject?: string;
  /** Events about a client: its id as the subject, or as details.clientId (token events). */
  clientId?: string;
  ip?: string;
  outcome?: string;
  /** created_at >= from */
  from?: Date;
  /** created_at < to */
  to?: Date;
}

/**
 * The filters as SQL conditions, every value a bound parameter (pushed onto `params`). Written
 * as SQL rather than through Prisma: an export reads every matching row, and Prisma's result
 * mapping costs several times the time and garbage of the driver's own rows (bench/AUDIT-EXPORT.md).
 */
function conditionsOf(query: AuditEventQuery, params: unknown[]): string[] {
  const bind = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const conditions: string[] = [];
  if (query.types && query.types.length > 0) conditions.push(`type = ANY(${bind([...query.types])}::text[])`);
  if (query.actor) {
    const either: string[] = [];
    if (query.actor.userIds.length > 0) either.push(`actor_user_id = ANY(${bind([...query.actor.userIds])}::uuid[])`);
    if (query.actor.apiKeyIds.length > 0) either.push(`actor_api_key_id = ANY(${bind([...query.actor.apiKeyIds])}::uuid[])`);
    // An actor that resolves to nobody matches no event.
    conditions.push(either.length > 0 ? `(${either.join(' OR ')})` : 'false');
  }
  if (query.subject !== undefined) conditions.push(`subject = ${bind(query.subject)}`);
  if (query.clientId !== undefined) {
    const clientId = bind(query.clientId);
    conditions.push(`(subject = ${clientId} OR details->>'clientId' = ${clientId})`);
  }
  if (query.ip !== undefined) conditions.push(`ip = ${bind(query.ip)}`);
  if (query.outcome !== undefined) conditions.push(`outcome = ${bind(query.outcome)}`);
  if (query.from) conditions.push(`created_at >= ${bind(query.from)}::timestamptz`);
  if (query.to) conditions.push(`created_at < ${bind(query.to)}::timestamptz`);
  return conditions;
}

interface AuditEventSqlRow {
  seq: string;
  created_at: Date;
  type: string;
  actor_user_id: string | null;
  actor_api_key_id: string | null;
  subject: string | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  outcome: string;
  details: Prisma.JsonValue;
  prev_hash: Buffer;
  hash: Buffer;
}

const COLUMNS = 'seq, created_at, type, actor_user_id, actor_api_key_id, subject, ip, user_agent, request_id, outcome, details, prev_hash, hash';

async function selectEvents(conditions: string[], params: unknown[], order: 'ASC' | 'DESC', limit: number): Promise<StoredAuditEvent[]> {
  params.push(limit);
  const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
  const result = await pgPool().query<AuditEventSqlRow>(`SELECT ${COLUMNS} FROM audit_events ${where} ORDER BY seq ${order} LIMIT $${params.length}`, params);
  return result.rows.map((row) => ({
    seq: BigInt(row.seq),
    createdAt: row.created_at,
    type: row.type,
    actorUserId: row.actor_user_id,
    actorApiKeyId: row.actor_api_key_id,
    subject: row.subject,
    ip: row.ip,
    userAgent: row.user_agent,
    requestId: row.request_id,
    outcome: row.outcome,
    details: row.details,
    prevHash: new Uint8Array(row.prev_hash),
    hash: new Uint8Array(row.hash),
  }));
}

/** A page of matching events, newest first: seq below `beforeSeq` when given. */
export function readAuditEventsPage(query: AuditEventQuery, beforeSeq: bigint | null, limit: number): Promise<StoredAuditEvent[]> {
  const params: unknown[] = [];
  const conditions = conditionsOf(query, params);
  if (beforeSeq !== null) {
    params.push(beforeSeq.toString());
    conditions.push(`seq < $${params.length}::int8`);
  }
  return selectEvents(conditions, params, 'DESC', limit);
}

/** A batch of matching events with seq in (afterSeq, throughSeq], oldest first (an export's keyset walk). */
export function readAuditEventsAfter(query: AuditEventQuery, afterSeq: bigint, throughSeq: bigint, limit: number): Promise<StoredAuditEvent[]> {
  const params: unknown[] = [];
  const conditions = conditionsOf(query, params);
  params.push(afterSeq.toString(), throughSeq.toString());
  conditions.push(`seq > $${params.length - 1}::int8`, `seq <= $${params.length}::int8`);
  return selectEvents(conditions, params, 'ASC', limit);
}

export function findAuditEventBySeq(seq: bigint): Promise<StoredAuditEvent | null> {
  return db().auditEvent.findUnique({ where: { seq } });
}

/** The highest seq recorded so far (0 when the log is empty). */
export async function readLatestAuditSeq(): Promise<bigint> {
  const head = await db().auditChainHead.findUnique({ where: { id: 1 }, select: { seq: true } });
  return head?.seq ?? 0n;
}

/** The user with this (lower-cased) email, for the actor filter. */
export async function findUserIdByEmail(email: string): Promise<string | null> {
  return (await db().user.findUnique({ where: { email }, select: { id: true } }))?.id ?? null;
}

/** The API keys with this visible prefix (prefixes are random, not unique). */
export async function findApiKeyIdsByPrefix(prefix: string): Promise<string[]> {
  return (await db().apiKey.findMany({ where: { prefix }, select: { id: true }, take: 20 })).map((key) => key.id);
}

export interface AuditActorLabels {
  users: Map<string, { email: string; name: string }>;
  apiKeys: Map<string, { name: string; prefix: string }>;
}

/** Who the actor ids of a page are, to show people and keys instead of bare ids. */
export async function findAuditActorLabels(userIds: readonly string[], apiKeyIds: readonly string[]): Promise<AuditActorLabels> {
  const [users, apiKeys] = await Promise.all([
    userIds.length > 0
      ? db().user.findMany({ where: { id: { in: [...userIds] } }, select: { id: true, email: true, name: true } })
      : Promise.resolve([]),
    apiKeyIds.length > 0
      ? db().apiKey.findMany({ where: { id: { in: [...apiKeyIds] } }, select: { id: true, name: true, prefix: true } })
      : Promise.resolve([]),
  ]);
  return {
    users: new Map(users.map((user) => [user.id, { email: user.email, name: user.name }])),
    apiKeys: new Map(apiKeys.map((key) => [key.id, { name: key.name, prefix: key.prefix }])),
  };
}
