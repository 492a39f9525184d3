import 'server-only';
import { AUDIT_CONTENT_FIELDS } from './audit';
import { db } from './client';
import type { Prisma } from './generated/client';
import type { DbClient } from './users';

/**
 * The admin plane's queries on users and what hangs off them (lib/admin/users.ts holds the
 * rules). Queries only: no policy. Ids arrive here already checked to be UUIDs.
 */

/** What an administrator sees of a user: never the password hash. */
export const adminUserFields = {
  id: true,
  email: true,
  name: true,
  isAdmin: true,
  disabledAt: true,
  emailVerifiedAt: true,
  createdAt: true,
  updatedAt: true,
} as const;

export type AdminUserRow = Prisma.UserGetPayload<{ select: typeof adminUserFields }>;

/** A row of the user list: the profile, and whether the user has a second factor. */
const listFields = {
  ...adminUserFields,
  totpFactor: { select: { confirmedAt: true } },
  _count: { select: { webauthnCredentials: true } },
} as const;

export type AdminUserListRow = Prisma.UserGetPayload<{ select: typeof listFields }>;

export interface UserSearchFilter {
  /** Case-insensitive substring of the email or the name. */
  text?: string;
  disabled?: boolean;
  isAdmin?: boolean;
  /** Keyset: users strictly older than this one in (createdAt desc, id desc) order. */
  after?: { createdAt: Date; id: string };
  limit: number;
}

/** `%`, `_` and `\` match literally in LIKE with the default escape character. */
function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

/**
 * One page of users, newest first (created_at desc, id desc), filtered. The text is matched with
 * ILIKE against the email and the name, its wildcards escaped so that it is a plain substring.
 */
export function searchUserRows(filter: UserSearchFilter): Promise<AdminUserListRow[]> {
  const and: Prisma.UserWhereInput[] = [];
  if (filter.text) {
    const pattern = likeLiteral(filter.text);
    and.push({ OR: [{ email: { contains: pattern, mode: 'insensitive' } }, { name: { contains: pattern, mode: 'insensitive' } }] });
  }
  if (filter.disabled !== undefined) and.push({ disabledAt: filter.disabled ? { not: null } : null });
  if (filter.isAdmin !== undefined) and.push({ isAdmin: filter.isAdmin });
  if (filter.after) {
    const { createdAt, id } = filter.after;
    and.push({ OR: [{ createdAt: { lt: createdAt } }, { createdAt, id: { lt: id } }] });
  }
  return db().user.findMany({
    where: { AND: and },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: filter.limit,
    select: listFields,
  });
}

export function findAdminUser(id: string, client: DbClient = db()): Promise<AdminUserRow | null> {
  return client.user.findUnique({ where: { id }, select: adminUserFields });
}

/**
 * The user's row, locked until the transaction ends (SELECT … FOR UPDATE), so that two changes
 * to one user happen one after the other. Run it in a transaction.
 */
export async function lockAdminUser(id: string, tx: DbClient): Promise<AdminUserRow | null> {
  const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM users WHERE id = ${id}::uuid FOR UPDATE`;
  return rows.length === 0 ? null : findAdminUser(id, tx);
}

/**
 * The ids of the enabled administrators, their rows locked until the transaction ends, in id
 * order (every caller locks in the same order, so two of them cannot deadlock). Two concurrent
 * "remove an administrator" changes therefore count the administrators one after the other, and
 * the second sees what the first did: the last one cannot be removed by a race.
 */
export async function lockEnabledAdminIds(tx: DbClient): Promise<string[]> {
  const rows = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM users WHERE is_admin AND disabled_at IS NULL ORDER BY id FOR UPDATE`;
  return rows.map((row) => row.id);
}

/** Sets or clears disabled_at, only if it changes; returns whether it did. */
export async function setAdminUserDisabledAt(id: string, disabledAt: Date | null, tx: DbClient): Promise<boolean> {
  const { count } = await tx.user.updateMany({
    where: { id, disabledAt: disabledAt === null ? { not: null } : null },
    data: { disabledAt },
  });
  return count === 1;
}

/** Sets the admin role, only if it changes; returns whether it did. */
export async function setUserIsAdmin(id: string, isAdmin: boolean, tx: DbClient): Promise<boolean> {
  const { count } = await tx.user.updateMany({ where: { id, isAdmin: !isAdmin }, data: { isAdmin } });
  return count === 1;
}

/** Deletes every passkey of the user; returns their nicknames. */
export async function deleteUserPasskeys(userId: string, tx: DbClient): Promise<string[]> {
  const rows = await tx.$queryRaw<{ nickname: string }[]>`
    DELETE FROM webauthn_credentials WHERE user_id = ${userId}::uuid RETURNING nickname`;
  return rows.map((row) => row.nickname);
}

/** Deletes the user's sign-ins waiting for their second factor: none of them can complete any more. */
export async function deleteUserPendingLogins(userId: string, tx: DbClient): Promise<number> {
  const { count } = await tx.pendingLogin.deleteMany({ where: { userId } });
  return count;
}

/** Deletes the WebAuthn ceremonies in progress for the user (a passkey being added). */
export async function deleteUserCeremonies(userId: string, tx: DbClient): Promise<number> {
  const { count } = await tx.webAuthnChallenge.deleteMany({ where: { userId } });
  return count;
}

/** The user's authenticator app: null when none, pending while confirmedAt is null. */
export function findUserTotpState(userId: string): Promise<{ confirmedAt: Date | null; createdAt: Date } | null> {
  return db().totpFactor.findUnique({ where: { userId }, select: { confirmedAt: true, createdAt: true } });
}

/** How many browsers the user asked to remember for the second step, still trusted at `now`. */
export function countUserTrustedDevices(userId: string, now: Date): Promise<number> {
  return db().trustedDevice.count({ where: { userId, expiresAt: { gt: now } } });
}

const auditEventFields = AUDIT_CONTENT_FIELDS;

export type UserAuditEventRow = Prisma.AuditEventGetPayload<{ select: typeof auditEventFields }>;

/**
 * One page of the events about a user, newest first: those the user made (actor_user_id) and
 * those whose subject is the user's id (what others did to the account). seq below `beforeSeq`
 * when given. Each branch is served by its (column, seq) index.
 */
export function readUserRelatedAuditEvents(userId: string, beforeSeq: bigint | null, limit: number): Promise<UserAuditEventRow[]> {
  return db().auditEvent.findMany({
    where: { OR: [{ actorUserId: userId }, { subject: userId }], ...(beforeSeq !== null ? { seq: { lt: beforeSeq } } : {}) },
    orderBy: { seq: 'desc' },
    take: limit,
    select: auditEventFields,
  });
}

/** The emails of these users (for naming the actors of audit events). */
export function findUserEmails(ids: string[]): Promise<{ id: string; email: string }[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db().user.findMany({ where: { id: { in: ids } }, select: { id: true, email: true } });
}

/** The names and prefixes of these API keys (for naming the actors of audit events); never a hash. */
export function findApiKeyLabels(ids: string[]): Promise<{ id: string; name: string; prefix: string }[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db().apiKey.findMany({ where: { id: { in: ids } }, select: { id: true, name: true, prefix: true } });
}
