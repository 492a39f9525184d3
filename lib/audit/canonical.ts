import { sha256, type Bytes } from '../crypto/hash';

export type JsonPrimitive = string | number | boolean | null;
export type Json = JsonPrimitive | Json[] | { [key: string]: Json };

/** Everything about an event that its hash covers (all but seq and the chain hashes). */
export interface AuditContent {
  createdAt: Date;
  type: string;
  actorUserId: string | null;
  /** The admin API key that acted; part of the hash only when set, so older events verify as before. */
  actorApiKeyId?: string | null;
  subject: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  outcome: string;
  details: Json;
}

/**
 * JSON with object keys sorted (by UTF-16 code units, recursively) and no whitespace, so the
 * same value always gives the same text, whichever order its keys were written or stored in
 * (jsonb reorders them). Refuses what JSON cannot carry faithfully: undefined, NaN, Infinity.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`canonical JSON cannot hold ${value}`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isPlainObject(value)) {
    const members = Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`);
    return `{${members.join(',')}}`;
  }
  throw new TypeError(`canonical JSON cannot hold a value of type ${typeof value}`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

export function canonicalAuditContent(content: AuditContent): string {
  return canonicalJson({
    createdAt: content.createdAt.toISOString(),
    type: content.type,
    actorUserId: content.actorUserId,
    ...(content.actorApiKeyId ? { actorApiKeyId: content.actorApiKeyId } : {}),
    subject: content.subject,
    ip: content.ip,
    userAgent: content.userAgent,
    requestId: content.requestId,
    outcome: content.outcome,
    details: content.details,
  });
}

/** SHA-256 of the UTF-8 canonical content: what the chain hash commits to. */
export function auditContentHash(content: AuditContent): Bytes {
  return sha256(canonicalAuditContent(content));
}
