import 'server-only';
import { db } from './client';
import { Prisma } from './generated/client';
import type { DbClient } from './users';
import type { Bytes } from '../crypto/hash';

export type EmailTokenPurpose = 'verify_email' | 'reset_password' | 'change_email';

export interface NewEmailToken {
  tokenHash: Bytes;
  userId: string;
  purpose: EmailTokenPurpose;
  email: string;
  createdAt: Date;
  expiresAt: Date;
}

/** Inserts a token and deletes the user's earlier unused ones of the same purpose: only the newest link works. */
export async function replaceEmailToken(token: NewEmailToken, client: DbClient = db()): Promise<void> {
  await client.emailToken.deleteMany({ where: { userId: token.userId, purpose: token.purpose, consumedAt: null } });
  await client.emailToken.create({ data: token });
}

/** A live (unused, unexpired) token of that purpose, with its user; null otherwise. */
export function findLiveEmailToken(tokenHash: Bytes, purpose: EmailTokenPurpose, now: Date) {
  return db().emailToken.findFirst({
    where: { tokenHash, purpose, consumedAt: null, expiresAt: { gt: now } },
    select: {
      id: true,
      userId: true,
      email: true,
      user: { select: { id: true, email: true, disabledAt: true, emailVerifiedAt: true } },
    },
  });
}

/** Marks a token used, if it still is live: true for exactly one caller. */
export async function consumeEmailToken(id: string, now: Date, client: DbClient = db()): Promise<boolean> {
  const { count } = await client.emailToken.updateMany({
    where: { id, consumedAt: null, expiresAt: { gt: now } },
    data: { consumedAt: now },
  });
  return count === 1;
}

export async function deleteUnusedEmailTokens(userId: string, purpose: EmailTokenPurpose, client: DbClient = db()): Promise<number> {
  const { count } = await client.emailToken.deleteMany({ where: { userId, purpose, consumedAt: null } });
  return count;
}

/** Sets email_verified_at, only while the user's address is still `email`; false otherwise. */
export async function markEmailVerified(userId: string, email: string, now: Date, client: DbClient = db()): Promise<boolean> {
  const { count } = await client.user.updateMany({ where: { id: userId, email }, data: { emailVerifiedAt: now } });
  return count === 1;
}

export function findUserEmailState(userId: string) {
  return db().user.findUnique({ where: { id: userId }, select: { id: true, email: true, emailVerifiedAt: true, disabledAt: true } });
}

/** Changes the address (verified by the link); false when the user is gone, null when another account has it. */
export async function updateUserEmail(userId: string, fromEmail: string, toEmail: string, now: Date, client: DbClient = db()) {
  const taken = await client.user.findUnique({ where: { email: toEmail }, select: { id: true } });
  if (taken) return null;
  try {
    const { count } = await client.user.updateMany({ where: { id: userId, email: fromEmail }, data: { email: toEmail, emailVerifiedAt: now } });
    return count === 1;
  } catch (error) {
    // Another account took the address between the check and the update.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') return null;
    throw error;
  }
}

export async function deleteExpiredEmailTokens(now: Date): Promise<number> {
  const { count } = await db().emailToken.deleteMany({ where: { expiresAt: { lte: now } } });
  return count;
}
