import 'server-only';
import { db, queryFirstRow, type Db } from './client';
import { Prisma } from './generated/client';

export type DbClient = Db | Prisma.TransactionClient;

export interface NewUser {
  email: string;
  name: string;
  passwordHash: string;
  isAdmin: boolean;
}

const publicFields = { id: true, email: true, name: true, isAdmin: true, disabledAt: true, createdAt: true } as const;

/** Inserts a user; returns null when the email is already taken (unique violation). */
export async function insertUser(user: NewUser, client: DbClient = db()) {
  try {
    return await client.user.create({ data: user, select: publicFields });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') return null;
    throw error;
  }
}

interface UserSqlRow {
  id: string;
  email: string;
  name: string;
  is_admin: boolean;
  disabled_at: Date | null;
  created_at: Date;
  password_hash: string;
}

/** The user with this (normalized) email, with the password hash. SQL through the driver: every sign-in asks. */
export async function findUserByEmail(email: string) {
  const row = await queryFirstRow<UserSqlRow>(
    'optare.user_by_email',
    `SELECT "id", "email", "name", "is_admin", "disabled_at", "created_at", "password_hash" FROM "users" WHERE "email" = $1`,
    [email],
  );
  return row && {
    id: row.id,
    email: row.email,
    name: row.name,
    isAdmin: row.is_admin,
    disabledAt: row.disabled_at,
    createdAt: row.created_at,
    passwordHash: row.password_hash,
  };
}

export function findUserById(id: string) {
  return db().user.findUnique({ where: { id }, select: publicFields });
}

/** Sets or clears disabled_at; returns the user's id, or null when no user has that email. */
export async function setUserDisabledAt(email: string, disabledAt: Date | null, client: DbClient = db()) {
  const { count } = await client.user.updateMany({ where: { email }, data: { disabledAt } });
  if (count === 0) return null;
  return (await client.user.findUnique({ where: { email }, select: { id: true } }))?.id ?? null;
}

/** The user's password hash, for re-checking the current password. */
export function findUserPasswordHash(id: string) {
  return db().user.findUnique({ where: { id }, select: { id: true, email: true, passwordHash: true, disabledAt: true } });
}

/** Replaces the password hash; false when the user is gone. */
export async function updateUserPasswordHash(id: string, passwordHash: string, client: DbClient = db()): Promise<boolean> {
  const { count } = await client.user.updateMany({ where: { id }, data: { passwordHash } });
  return count === 1;
}

/** Sets the user's display name; false when the user is gone. */
export async function updateUserName(id: string, name: string, client: DbClient = db()): Promise<boolean> {
  const { count } = await client.user.updateMany({ where: { id }, data: { name } });
  return count === 1;
}
