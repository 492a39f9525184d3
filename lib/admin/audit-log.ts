import 'server-only';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { resultWithin } from '../async/within';
import { auditActor, type AdminActor } from './actor';
import { actorQuery, checkAuditTimeRange, auditFilterFields, type AuditFilter } from './audit-filter';
import type { AuditDetailValue } from '../audit/events';
import {
  AUDIT_EXPORT_CONTENT_TYPES,
  AUDIT_EXPORT_FORMATS,
  auditEventRecord,
  auditExportStream,
  type AuditEventRecord,
  type AuditExportFormat,
} from '../audit/export';
import { recordAuditEvent } from '../audit/record';
import { verifyAuditChain, type ChainBreak } from '../audit/verify';
import {
  findApiKeyIdsByPrefix,
  findAuditActorLabels,
  findAuditEventBySeq,
  findUserIdByEmail,
  readAuditEventsPage,
  readLatestAuditSeq,
  type AuditActorLabels,
  type AuditEventQuery,
} from '../db/audit-query';

/**
 * The audit log as administrators see it (console and admin API): filtered pages newest first
 * with an opaque cursor, one event, the streamed export (itself audited), and the chain check.
 */

export const CONSOLE_AUDIT_PAGE_SIZE = 50;

const MAX_SEQ = 9_223_372_036_854_775_807n;
const CURSOR_VERSION = 'v1';

/** The opaque cursor of the page after the event `seq` (base64url; its content is not a contract). */
export function encodeAuditCursor(seq: bigint): string {
  return Buffer.from(`${CURSOR_VERSION}:${seq}`).toString('base64url');
}

/** The seq a cursor stands for, or null when it is not one this module made. */
export function decodeAuditCursor(cursor: string): bigint | null {
  if (!/^[A-Za-z0-9_-]{1,40}$/.test(cursor)) return null;
  const match = /^v1:([1-9][0-9]{0,18})$/.exec(Buffer.from(cursor, 'base64url').toString('latin1'));
  if (!match) return null;
  const seq = BigInt(match[1]!);
  return seq <= MAX_SEQ ? seq : null;
}

const cursorField = z
  .string({ error: (issue) => (Array.isArray(issue.input) ? 'Give one cursor, not several.' : 'The cursor must be text.') })
  .max(200, 'The cursor is not valid: start again from the first page.')
  .optional()
  .transform((value, context) => {
    if (!value) return null;
    const seq = decodeAuditCursor(value);
    if (seq === null) {
      context.addIssue({ code: 'custom', message: 'The cursor is not valid: start again from the first page.' });
      return z.NEVER;
    }
    return seq;
  })
  .describe('The nextCursor of the previous page; absent for the newest events.');

/** An event's seq in a path: a positive 64-bit integer in decimal. */
export const auditSeqSchema = z
  .string()
  .regex(/^[1-9][0-9]{0,18}$/, 'An event number is a positive integer.')
  .transform((value) => BigInt(value))
  .refine((seq) => seq <= MAX_SEQ, 'An event number is a positive integer.');

/** The admin API's list query: the filters, a page size and the cursor. */
export const auditEventsQuerySchema = z
  .object({
    ...auditFilterFields,
    limit: z.coerce.number().int().min(1).max(100).default(25),
    cursor: cursorField,
  })
  .superRefine(checkAuditTimeRange);

const formatField = z.enum(AUDIT_EXPORT_FORMATS, { error: 'Choose the format: csv or jsonl.' });

/** An export's query: the filters and the format. */
export const auditExportQuerySchema = z.object({ ...auditFilterFields, format: formatField }).superRefine(checkAuditTimeRange);

/** The console page's cursor parameter (the filters are parsed with auditFilterSchema). */
export const consoleCursorSchema = z.object({ cursor: cursorField });

/** An event in the admin API's answers (the same shape as a JSON Lines export line). */
export const auditEventSchema = z.object({
  seq: z.string().describe('The event number: its place in the hash chain (a 64-bit integer, as text).'),
  createdAt: z.string(),
  type: z.string(),
  outcome: z.enum(['success', 'failure']),
  actorUserId: z.string().nullable(),
  actorApiKeyId: z.string().nullable(),
  subject: z.string().nullable(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  requestId: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  prevHash: z.string().describe('SHA-256 of the previous event, hex.'),
  hash: z.string().describe('SHA-256(prev_hash || seq || content hash), hex.'),
});

/** Turns the actor filter into actor ids: an email names a user, an opk_ prefix API keys, a UUID either. */
export async function resolveAuditQuery(filter: AuditFilter): Promise<AuditEventQuery> {
  const query: AuditEventQuery = {
    ...(filter.type.length > 0 ? { types: filter.type } : {}),
    ...(filter.subject ? { subject: filter.subject } : {}),
    ...(filter.client ? { clientId: filter.client } : {}),
    ...(filter.ip ? { ip: filter.ip } : {}),
    ...(filter.outcome ? { outcome: filter.outcome } : {}),
    ...(filter.from ? { from: new Date(filter.from) } : {}),
    ...(filter.to ? { to: new Date(filter.to) } : {}),
  };
  if (filter.actor) {
    const actor = actorQuery(filter.actor);
    if (actor.kind === 'id') query.actor = { userIds: [actor.id], apiKeyIds: [actor.id] };
    else if (actor.kind === 'email') {
      const userId = await findUserIdByEmail(actor.email);
      query.actor = { userIds: userId ? [userId] : [], apiKeyIds: [] };
    } else query.actor = { userIds: [], apiKeyIds: await findApiKeyIdsByPrefix(actor.prefix) };
  }
  return query;
}

export interface AuditEventsPage {
  items: AuditEventRecord[];
  /** The cursor of the next (older) page; null on the last page. */
  nextCursor: string | null;
}

/** One page of matching events, newest first. */
export async function listAuditEvents(filter: AuditFilter, cursor: bigint | null, limit: number): Promise<AuditEventsPage> {
  const query = await resolveAuditQuery(filter);
  const rows = await readAuditEventsPage(query, cursor, limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { items: page.map(auditEventRecord), nextCursor: rows.length > limit && last ? encodeAuditCursor(last.seq) : null };
}

export async function getAuditEvent(seq: bigint): Promise<AuditEventRecord | null> {
  const event = await findAuditEventBySeq(seq);
  return event ? auditEventRecord(event) : null;
}

/** The people and keys behind the actor ids of some events, to show instead of bare ids. */
export function auditActorLabels(events: readonly AuditEventRecord[]): Promise<AuditActorLabels> {
  const userIds = new Set<string>();
  const apiKeyIds = new Set<string>();
  for (const event of events) {
    if (event.actorUserId) userIds.add(event.actorUserId);
    if (event.actorApiKeyId) apiKeyIds.add(event.actorApiKeyId);
  }
  return findAuditActorLabels([...userIds], [...apiKeyIds]);
}

/**
 * Starts an export of the matching events recorded so far and answers with it as a download.
 * The export is recorded (audit.exported, with the format, the filter and the last seq it
 * covers) before anything is sent, once per export; events recorded after that point, the
 * export's own event included, are not part of it.
 */
export async function exportAuditEvents(actor: AdminActor, filter: AuditFilter, format: AuditExportFormat, now = new Date()): Promise<Response> {
  const query = await resolveAuditQuery(filter);
  const throughSeq = await readLatestAuditSeq();
  await recordAuditEvent({
    type: 'audit.exported',
    outcome: 'success',
    ...auditActor(actor),
    details: { format, throughSeq: Number(throughSeq), ...exportFilterDetails(filter) },
  });
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  return new Response(auditExportStream(query, format, { throughSeq }), {
    status: 200,
    headers: {
      'content-type': AUDIT_EXPORT_CONTENT_TYPES[format],
      'content-disposition': `attachment; filename="optare-audit-${stamp}.${format}"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'x-audit-through-seq': throughSeq.toString(),
    },
  });
}

/** The filter as audit details (names that never collide with what the filters match, e.g. details.clientId). */
function exportFilterDetails(filter: AuditFilter): Record<string, AuditDetailValue> {
  const details: Record<string, AuditDetailValue> = {};
  if (filter.type.length > 0) details.types = filter.type;
  if (filter.actor) details.actor = filter.actor;
  if (filter.subject) details.subject = filter.subject;
  if (filter.client) details.client = filter.client;
  if (filter.ip) details.ip = filter.ip;
  if (filter.outcome) details.outcome = filter.outcome;
  if (filter.from) details.from = filter.from;
  if (filter.to) details.to = filter.to;
  return details;
}

export interface AuditChainStatus {
  ok: boolean;
  /** Events checked. */
  events: number;
  /** The chain is intact through this seq (0: nothing could be trusted). */
  intactThroughSeq: number;
  /** The retention job deleted the events through this seq: the verified chain starts after it. */
  prunedThroughSeq: number | null;
  firstBroken: ChainBreak | null;
  checkedAt: string;
  durationMs: number;
}

export const auditChainStatusSchema = z.object({
  ok: z.boolean(),
  events: z.number().int(),
  intactThroughSeq: z.number().int(),
  prunedThroughSeq: z.number().int().nullable(),
  firstBroken: z
    .object({
      seq: z.number().int(),
      code: z.enum(['missing_records', 'broken_link', 'hash_mismatch', 'head_mismatch', 'head_missing', 'records_after_head']),
      reason: z.string(),
    })
    .nullable(),
  checkedAt: z.string(),
  durationMs: z.number().int(),
});

interface ChainCheck {
  id: string;
  startedAt: string;
  done: Promise<AuditChainStatus>;
  result: AuditChainStatus | null;
}

/** The check running now, or else the last one finished (so that a poll after it ended gets its result). */
let latestCheck: ChainCheck | null = null;

function startCheck(): ChainCheck {
  const check: ChainCheck = { id: randomUUID(), startedAt: new Date().toISOString(), done: runCheck(), result: null };
  check.done.then(
    (result) => {
      check.result = result;
    },
    () => {
      // A failed check (the database went away) is not kept: the next request starts another.
      if (latestCheck === check) latestCheck = null;
    },
  );
  latestCheck = check;
  return check;
}

/** The running check, or a new one: never two walks of the chain at once. */
function runningOrNewCheck(): ChainCheck {
  return latestCheck && !latestCheck.result ? latestCheck : startCheck();
}

async function runCheck(): Promise<AuditChainStatus> {
  const started = Date.now();
  // Read before the walk: a bound on how far the chain can be said to be intact when it breaks.
  const latest = Number(await readLatestAuditSeq());
  const result = await verifyAuditChain();
  const checkedAt = new Date().toISOString();
  const durationMs = Date.now() - started;
  if (result.ok) {
    const prunedThroughSeq = result.prunedThrough ?? null;
    // Intact means contiguous: the checked events are exactly the seqs after the pruned ones.
    return { ok: true, events: result.events, intactThroughSeq: (prunedThroughSeq ?? 0) + result.events, prunedThroughSeq, firstBroken: null, checkedAt, durationMs };
  }
  return {
    ok: false,
    events: result.events,
    intactThroughSeq: Math.max(0, Math.min(result.firstBroken.seq - 1, latest)),
    prunedThroughSeq: null,
    firstBroken: result.firstBroken,
    checkedAt,
    durationMs,
  };
}

/**
 * Verifies the whole hash chain (lib/audit/verify.ts: every record, oldest first, in batches)
 * and answers its result. A request that arrives while a check runs shares it.
 */
export function checkAuditChain(): Promise<AuditChainStatus> {
  return runningOrNewCheck().done;
}

export type AuditChainCheckState =
  | ({ state: 'done'; checkId: string } & AuditChainStatus)
  | { state: 'running'; checkId: string; startedAt: string };

/** The console's check request: `checkId` to ask again about a check it started. */
export const chainCheckRequestSchema = z.object({ checkId: z.uuid().optional() });

/**
 * The console's integrity check, which must not hold a request open for the minutes a large log
 * takes to verify (a proxy in front would time out): starts a check, or joins the running one,
 * or looks up the check `checkId` names, then waits at most `waitMs` for it. A check still
 * running answers `running` with its id; asking again with that id waits some more, and gets the
 * result once it is done, even if it finished in between.
 */
export async function chainCheckState(checkId: string | undefined, waitMs: number): Promise<AuditChainCheckState> {
  const check = checkId && latestCheck?.id === checkId ? latestCheck : runningOrNewCheck();
  const waited = await resultWithin(check.done, waitMs);
  return waited ? { state: 'done', checkId: check.id, ...waited } : { state: 'running', checkId: check.id, startedAt: check.startedAt };
}
