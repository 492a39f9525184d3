import 'server-only';
import { db } from './client';
import type { DbClient } from './users';

/**
 * Recovery codes: single-use lookup secrets, stored as SHA-256 hashes (120-bit codes). Queries
 * only; the policy lives in lib/auth/recovery-codes.
 */

/** Deletes every code of the user (used or not) and inserts the new set. Run it in a transaction. */
export async function replaceRecoveryCodes(userId: string, codeHashes: string[], createdAt: Date, client: DbClient = db()): Promise<void> {
  await client.recoveryCode.deleteMany({ where: { userId } });
  await client.recoveryCode.createMany({ data: codeHashes.map((codeHash) => ({ userId, codeHash, createdAt })) });
}

/**
 * Marks the user's unused code with this hash used, in one UPDATE conditioned on it being unused:
 * of two concurrent uses of a code, exactly one returns true.
 */
export async function consumeRecoveryCodeByHash(userId: string, codeHash: string, usedAt: Date, client: DbClient = db()): Promise<boolean> {
  const { count } = await client.recoveryCode.updateMany({ where: { userId, codeHash, usedAt: null }, data: { usedAt } });
  return count === 1;
}

export function countUnusedRecoveryCodes(userId: string, client: DbClient = db()): Promise<number> {
  return client.recoveryCode.count({ where: { userId, usedAt: null } });
}

/** Deletes every code of the user (their last second factor is gone); returns how many there were. */
export async function deleteRecoveryCodes(userId: string, client: DbClient = db()): Promise<number> {
  const { count } = await client.recoveryCode.deleteMany({ where: { userId } });
  return count;
}
