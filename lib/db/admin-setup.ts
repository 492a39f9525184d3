import 'server-only';
import { db } from './client';
import type { Bytes } from '../crypto/hash';

export function countAdmins(): Promise<number> {
  return db().user.count({ where: { isAdmin: true } });
}

/** A new setup token; unused tokens of earlier starts are removed (one link works at a time per start). */
export async function insertSetupToken(tokenHash: Bytes, expiresAt: Date): Promise<void> {
  await db().$transaction([
    db().adminSetupToken.deleteMany({ where: { OR: [{ usedAt: { not: null } }, { expiresAt: { lte: new Date() } }] } }),
    db().adminSetupToken.create({ data: { tokenHash, expiresAt } }),
  ]);
}

export async function isSetupTokenValid(tokenHash: Bytes, now: Date): Promise<boolean> {
  return (await db().adminSetupToken.count({ where: { tokenHash, usedAt: null, expiresAt: { gt: now } } })) === 1;
}

/** Marks the token used if it is still valid: true for exactly one caller. */
export async function consumeSetupToken(tokenHash: Bytes, now: Date): Promise<boolean> {
  const { count } = await db().adminSetupToken.updateMany({ where: { tokenHash, usedAt: null, expiresAt: { gt: now } }, data: { usedAt: now } });
  return count === 1;
}

/** Gives a consumed token back (the administrator could not be created, e.g. a taken email). */
export async function releaseSetupToken(tokenHash: Bytes): Promise<void> {
  await db().adminSetupToken.updateMany({ where: { tokenHash }, data: { usedAt: null } });
}

/** Every setup token stops working (an administrator now exists). */
export async function deleteSetupTokens(): Promise<void> {
  await db().adminSetupToken.deleteMany({});
}
