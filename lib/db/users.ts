import 'server-only';
import { db, type Db } from './client';
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

export function findUserByEmail(email: string) {
  return db().user.findUnique({ where: { email }, select: { ...publicFields, passwordHash: true } });
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
