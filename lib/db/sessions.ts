import 'server-only';
import { randomUUID } from 'node:crypto';
import { db, queryFirstRow } from './client';
import type { DbClient } from './users';
import type { Bytes } from '../crypto/hash';

/*
 * Starting a session and reading the browser's session are on every sign-in and every
 * authorization request, so they go to the driver in SQL, prepared on PostgreSQL (queryRows):
 * Prisma sent two statements for a session and its user and cost about twice the driver per
 * statement (docs/decisions.md, "The sign-in flow's statements through the driver").
 */

export interface NewSession {
  tokenHash: Bytes;
  userId: string;
  /** Start, last use and authentication time of the new session: the caller's clock, as for every other timestamp. */
  createdAt: Date;
  idleExpiresAt: Date;
  absoluteExpiresAt: Date;
  ip: string | null;
  userAgent: string | null;
  amr: string[];
}

export async function insertSession(session: NewSession): Promise<{ id: string; createdAt: Date }> {
  const id = randomUUID();
  await queryFirstRow(
    'optare.insert_session',
    `INSERT INTO "sessions" ("id", "token_hash", "user_id", "created_at", "last_seen_at", "authenticated_at",
       "idle_expires_at", "absolute_expires_at", "ip", "user_agent", "amr")
     VALUES ($1::uuid, $2, $3::uuid, $4, $4, $4, $5, $6, $7, $8, $9::text[])`,
    [id, session.tokenHash, session.userId, session.createdAt, session.idleExpiresAt, session.absoluteExpiresAt, session.ip, session.userAgent, session.amr],
  );
  return { id, createdAt: session.createdAt };
}

/** A session row with the facts about its user that the session's validity and the pages need. */
export interface SessionWithUser {
  id: string;
  userId: string;
  createdAt: Date;
  lastSeenAt: Date;
  authenticatedAt: Date;
  idleExpiresAt: Date;
  absoluteExpiresAt: Date;
  amr: string[];
  user: { id: string; email: string; name: string; isAdmin: boolean; disabledAt: Date | null };
}

interface SessionSqlRow {
  id: string;
  user_id: string;
  created_at: Date;
  last_seen_at: Date;
  authenticated_at: Date;
  idle_expires_at: Date;
  absolute_expires_at: Date;
  amr: string[];
  email: string;
  name: string;
  is_admin: boolean;
  disabled_at: Date | null;
}

export async function findSessionByTokenHash(tokenHash: Bytes): Promise<SessionWithUser | null> {
  const row = await queryFirstRow<SessionSqlRow>(
    'optare.session_by_token',
    `SELECT s."id", s."user_id", s."created_at", s."last_seen_at", s."authenticated_at", s."idle_expires_at",
       s."absolute_expires_at", coalesce(s."amr", '{}') AS "amr", u."email", u."name", u."is_admin", u."disabled_at"
     FROM "sessions" s JOIN "users" u ON u."id" = s."user_id"
     WHERE s."token_hash" = $1`,
    [tokenHash],
  );
  if (!row) return null;
  return {
    id: row.id,
    userId: row.user_id,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    authenticatedAt: row.authenticated_at,
    idleExpiresAt: row.idle_expires_at,
    absoluteExpiresAt: row.absolute_expires_at,
    amr: row.amr,
    user: { id: row.user_id, email: row.email, name: row.name, isAdmin: row.is_admin, disabledAt: row.disabled_at },
  };
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
