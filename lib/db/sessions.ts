import 'server-only';
import { db } from './client';
import type { DbClient } from './users';
import type { Bytes } from '../crypto/hash';

export interface NewSession {
  tokenHash: Bytes;
  userId: string;
  idleExpiresAt: Date;
  absoluteExpiresAt: Date;
  ip: string | null;
  userAgent: string | null;
  amr: string[];
}

const withUser = { user: { select: { id: true, email: true, name: true, isAdmin: true, disabledAt: true } } } as const;

export function insertSession(session: NewSession) {
  return db().session.create({ data: session, select: { id: true, createdAt: true } });
}

export function findSessionByTokenHash(tokenHash: Bytes) {
  return db().session.findUnique({ where: { tokenHash }, include: withUser });
}

/** Slides the idle expiry; conditioned on the row still existing so a revoked session stays revoked. */
export async function touchSession(id: string, lastSeenAt: Date, idleExpiresAt: Date): Promise<void> {
  await db().session.updateMany({ where: { id }, data: { lastSeenAt, idleExpiresAt } });
}

/** Gives a live session a new token, methods and authentication time; false when it is gone or expired. */
export async function rotateSessionToken(
  id: string,
  change: { tokenHash: Bytes; amr: string[]; authenticatedAt: Date },
  now: Date,
): Promise<boolean> {
  const { count } = await db().session.updateMany({
    where: { id, idleExpiresAt: { gt: now }, absoluteExpiresAt: { gt: now } },
    data: { ...change, lastSeenAt: now },
  });
  return count === 1;
}

export async function deleteSession(id: string): Promise<boolean> {
  const { count } = await db().session.deleteMany({ where: { id } });
  return count === 1;
}

export async function deleteSessionByTokenHash(tokenHash: Bytes) {
  const session = await db().session.findUnique({ where: { tokenHash }, select: { id: true, userId: true } });
  if (!session) return null;
  return (await deleteSession(session.id)) ? session : null;
}

export async function deleteUserSessions(userId: string, exceptId?: string, client: DbClient = db()): Promise<number> {
  const { count } = await client.session.deleteMany({
    where: { userId, ...(exceptId ? { id: { not: exceptId } } : {}) },
  });
  return count;
}

export async function deleteExpiredSessions(now: Date): Promise<number> {
  const { count } = await db().session.deleteMany({
    where: { OR: [{ idleExpiresAt: { lte: now } }, { absoluteExpiresAt: { lte: now } }] },
  });
  return count;
}

/** The user's live sessions, newest sign-in first; never the token hash. */
export function listUserSessions(userId: string, now: Date) {
  return db().session.findMany({
    where: { userId, idleExpiresAt: { gt: now }, absoluteExpiresAt: { gt: now } },
    orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
    select: { id: true, createdAt: true, lastSeenAt: true, ip: true, userAgent: true, amr: true },
  });
}

/** Deletes one session of this user (another user's id deletes nothing). */
export async function deleteUserSession(userId: string, id: string): Promise<boolean> {
  const { count } = await db().session.deleteMany({ where: { id, userId } });
  return count === 1;
}
