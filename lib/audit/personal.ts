import { sha256, type Bytes } from '../crypto/hash';
import { canonicalJson, type AuditContent, type Json } from './canonical';

/**
 * Version 2 of an audit event's content hash, which lets a deleted user's personal data leave the
 * log without breaking the chain.
 *
 * The personal fields of an event (PERSONAL_AUDIT_FIELDS, and the details members named in
 * PERSONAL_DETAIL_KEYS) are committed to through one salted digest:
 *   personalDigest = SHA-256(salt || canonical JSON of the personal fields)
 * with 32 random bytes of salt kept in audit_personal_salts. The content hash covers the other
 * fields themselves and that digest. While the salt exists, verification recomputes the digest
 * from the row, so a change to any field is caught. Pseudonymising an event overwrites its
 * personal fields and deletes its salt: the stored digest (personal_digest) then stands for them,
 * and cannot be reversed or recomputed (the salt is gone), while every other field is still checked.
 */

export const CONTENT_VERSION_PERSONAL_DIGEST = 2;

/** The columns of an audit event that hold personal data. */
export const PERSONAL_AUDIT_FIELDS = ['actorUserId', 'subject', 'ip', 'userAgent'] as const;

/**
 * The details members that hold personal data, from lib/audit/events.ts and what its callers
 * record: an email address (user.email_changed's `from` and `to`), a passkey's nickname (people
 * name them after themselves), and any address or browser a caller adds under these names.
 */
export const PERSONAL_DETAIL_KEYS = ['email', 'from', 'to', 'nickname', 'ip', 'userAgent'] as const;

const PERSONAL_DETAIL_SET: ReadonlySet<string> = new Set(PERSONAL_DETAIL_KEYS);

export const PERSONAL_SALT_BYTES = 32;

type Details = { [key: string]: Json };

/** The details split in two: the members that hold personal data, and the rest. */
export function splitDetails(details: Json): { personal: Details; other: Json } {
  if (typeof details !== 'object' || details === null || Array.isArray(details)) return { personal: {}, other: details };
  const personal: Details = {};
  const other: Details = {};
  for (const [key, value] of Object.entries(details)) (PERSONAL_DETAIL_SET.has(key) ? personal : other)[key] = value;
  return { personal, other };
}

/** SHA-256(salt || canonical personal fields). */
export function personalDigest(content: AuditContent, salt: Uint8Array): Bytes {
  const { personal } = splitDetails(content.details);
  const canonical = canonicalJson({
    actorUserId: content.actorUserId,
    subject: content.subject,
    ip: content.ip,
    userAgent: content.userAgent,
    details: personal,
  });
  const message = new Uint8Array(salt.length + Buffer.byteLength(canonical));
  message.set(salt, 0);
  message.set(Buffer.from(canonical, 'utf8'), salt.length);
  return sha256(message);
}

/** The v2 canonical content: every non-personal field, and the personal digest in their place. */
export function canonicalAuditContentV2(content: AuditContent, digest: Uint8Array): string {
  return canonicalJson({
    v: CONTENT_VERSION_PERSONAL_DIGEST,
    createdAt: content.createdAt.toISOString(),
    type: content.type,
    ...(content.actorApiKeyId ? { actorApiKeyId: content.actorApiKeyId } : {}),
    requestId: content.requestId,
    outcome: content.outcome,
    details: splitDetails(content.details).other,
    personal: Buffer.from(digest).toString('hex'),
  });
}

/** The v2 content hash the chain commits to, from the personal digest (computed or stored). */
export function auditContentHashV2(content: AuditContent, digest: Uint8Array): Bytes {
  return sha256(canonicalAuditContentV2(content, digest));
}
