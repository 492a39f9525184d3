import 'server-only';
import { db } from './client';
import { Prisma } from './generated/client';
import type { Bytes } from '../crypto/hash';

export interface NewPendingLogin {
  idHash: Bytes;
  userId: string;
  purpose: 'sign_in' | 'step_up';
  sessionId: string | null;
  amr: string[];
  expiresAt: Date;
}

const fields = { userId: true, purpose: true, sessionId: true, amr: true, failedAttempts: true, expiresAt: true } as const;

export type StoredPendingLogin = Prisma.PendingLoginGetPayload<{ select: typeof fields }>;

export async function insertPendingLogin(login: NewPendingLogin): Promise<void> {
  await db().pendingLogin.create({ data: login, select: { idHash: true } });
}

/** The live pending login with this hash; expired ones are never returned. */
export function findPendingLogin(idHash: Bytes, now: Date): Promise<StoredPendingLogin | null> {
  return db().pendingLogin.findFirst({ where: { idHash, expiresAt: { gt: now } }, select: fields });
}

/** Consumes it: one DELETE … RETURNING, so of two concurrent successes exactly one gets the row. */
export async function consumePendingLogin(idHash: Bytes, now: Date): Promise<StoredPendingLogin | null> {
  try {
    return await db().pendingLogin.delete({ where: { idHash, expiresAt: { gt: now } }, select: fields });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2025') return null;
    throw error;
  }
}

/** Counts one more wrong code, atomically; returns the new count, or null when the login is gone. */
export async function countFailedAttempt(idHash: Bytes, now: Date): Promise<number | null> {
  const rows = await db().$queryRaw<{ failed_attempts: number }[]>`
    UPDATE pending_logins SET failed_attempts = failed_attempts + 1
     WHERE id_hash = ${Buffer.from(idHash)} AND expires_at > ${now}
     RETURNING failed_attempts`;
  return rows[0]?.failed_attempts ?? null;
}

export async function deletePendingLogin(idHash: Bytes): Promise<void> {
  await db().pendingLogin.deleteMany({ where: { idHash } });
}

export async function deleteExpiredPendingLogins(now: Date): Promise<number> {
  const { count } = await db().pendingLogin.deleteMany({ where: { expiresAt: { lte: now } } });
  return count;
}
