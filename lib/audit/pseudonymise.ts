import 'server-only';
import type { Bytes } from '../crypto/hash';
import { findAuditEventsOf, findUserAuditDetailValues, pseudonymiseAuditRows } from '../db/privacy';
import type { DbClient } from '../db/users';
import { auditContentHash, type Json } from './canonical';
import { PERSONAL_DETAIL_KEYS } from './personal';

/** Details members that may hold one of the user's email addresses (the ones their subject could be). */
const ADDRESS_KEYS = ['email', 'from', 'to'] as const;

/**
 * Pseudonymises every audit event of a user who is being deleted, inside the deletion's
 * transaction (the caller holds the chain head's lock): the events they made and the events
 * about them (their id, or one of their email addresses, as subject) carry `pseudonym` instead,
 * their IP address and browser are cleared (unless an administrator or API key acted), and the
 * personal details members go. The chain still verifies (lib/audit/personal.ts): version 2 events
 * keep their salted personal digest, whose salt is deleted; version 1 events, written before
 * digests existed, keep the content hash they were chained with, so only their link can still be
 * checked. Returns how many events changed.
 */
export async function pseudonymiseUserAuditEvents(user: { id: string; email: string }, pseudonym: string, now: Date, tx: DbClient): Promise<number> {
  const addresses = await findUserAuditDetailValues(user.id, ADDRESS_KEYS, tx);
  const subjects = [...new Set([user.id, user.email, ...addresses.filter((value) => value.includes('@'))])];
  const events = await findAuditEventsOf(user.id, subjects, tx);
  const legacyHashes = new Map<bigint, Bytes>();
  for (const event of events) {
    if (event.contentVersion === 1) legacyHashes.set(event.seq, auditContentHash({ ...event, details: event.details as Json }));
  }
  return pseudonymiseAuditRows(
    events.map((event) => event.seq),
    legacyHashes,
    { userId: user.id, pseudonym, subjects, personalDetailKeys: PERSONAL_DETAIL_KEYS, now },
    tx,
  );
}
