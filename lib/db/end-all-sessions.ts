import 'server-only';
import { db } from './client';
import type { AuditWriter } from './audit';

export interface AllSessionsEnded {
  sessionsEnded: number;
  pendingSignInsEnded: number;
  trustedDevicesForgotten: number;
}

/**
 * Deletes every session (but `keepSessionId`, when given), every unfinished sign-in and every
 * remembered browser of every user, in one transaction, and runs `audit` in it with the counts.
 */
export async function deleteAllSessions<T>(
  keepSessionId: string | null,
  audit: (ended: AllSessionsEnded, tx: AuditWriter) => Promise<T>,
): Promise<T> {
  return db().$transaction(async (tx) => {
    const sessions = await tx.session.deleteMany({ where: keepSessionId ? { id: { not: keepSessionId } } : {} });
    const pending = await tx.pendingLogin.deleteMany({});
    const devices = await tx.trustedDevice.deleteMany({});
    return audit({ sessionsEnded: sessions.count, pendingSignInsEnded: pending.count, trustedDevicesForgotten: devices.count }, tx);
  });
}
