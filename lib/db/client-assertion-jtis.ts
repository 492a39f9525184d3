import 'server-only';
import { db } from './client';
import type { Bytes } from '../crypto/hash';

/**
 * Records a client assertion's jti until `expiresAt`, in one statement: true when it is new (or
 * its earlier use has expired), false when it is already recorded and live. Of two instances
 * inserting the same jti at once, exactly one gets true.
 */
export async function recordAssertionJti(clientId: string, jtiHash: Bytes, expiresAt: Date, now: Date): Promise<boolean> {
  const rows = await db().$queryRaw<{ client_id: string }[]>`
    INSERT INTO client_assertion_jtis (client_id, jti_hash, expires_at)
    VALUES (${clientId}, ${Buffer.from(jtiHash)}, ${expiresAt})
    ON CONFLICT (client_id, jti_hash) DO UPDATE SET expires_at = EXCLUDED.expires_at
      WHERE client_assertion_jtis.expires_at <= ${now}
    RETURNING client_id`;
  return rows.length === 1;
}

export async function deleteExpiredAssertionJtis(now: Date): Promise<number> {
  const { count } = await db().clientAssertionJti.deleteMany({ where: { expiresAt: { lte: now } } });
  return count;
}
