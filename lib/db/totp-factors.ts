import 'server-only';
import { db } from './client';
import type { DbClient } from './users';

/**
 * The authenticator-app factor: at most one row per user, pending until confirmed. Queries only;
 * the policy lives in lib/auth/totp. The secret arrives here already sealed.
 *
 * The statements that decide who wins a race are written in SQL so that their condition is
 * visibly part of the one UPDATE (or INSERT ... ON CONFLICT) that PostgreSQL runs atomically.
 */

const factorFields = { userId: true, secretEncrypted: true, confirmedAt: true, lastUsedStep: true, createdAt: true } as const;

export function findTotpFactor(userId: string, client: DbClient = db()) {
  return client.totpFactor.findUnique({ where: { userId }, select: factorFields });
}

export async function hasConfirmedTotpFactor(userId: string, client: DbClient = db()): Promise<boolean> {
  const row = await client.totpFactor.findFirst({ where: { userId, confirmedAt: { not: null } }, select: { userId: true } });
  return row !== null;
}

/**
 * Creates the user's pending factor, or replaces a pending one (new secret, no step used), in one
 * statement. A confirmed factor is never touched: returns false when the user has one.
 */
export async function savePendingTotpFactor(
  userId: string,
  secretEncrypted: string,
  createdAt: Date,
  client: DbClient = db(),
): Promise<boolean> {
  const rows = await client.$executeRaw`
    INSERT INTO totp_factors (user_id, secret_encrypted, confirmed_at, last_used_step, created_at)
    VALUES (${userId}::uuid, ${secretEncrypted}, NULL, NULL, ${createdAt}::timestamptz)
    ON CONFLICT (user_id) DO UPDATE
      SET secret_encrypted = EXCLUDED.secret_encrypted, last_used_step = NULL, created_at = EXCLUDED.created_at
      WHERE totp_factors.confirmed_at IS NULL`;
  return rows === 1;
}

/**
 * Confirms the pending factor sealed as `secretEncrypted` (not one that replaced it meanwhile)
 * and records `step` as used. False when there is no such pending factor any more.
 */
export async function confirmPendingTotpFactor(
  userId: string,
  secretEncrypted: string,
  step: number,
  confirmedAt: Date,
  client: DbClient = db(),
): Promise<boolean> {
  const rows = await client.$executeRaw`
    UPDATE totp_factors
       SET confirmed_at = ${confirmedAt}::timestamptz, last_used_step = ${step}::bigint
     WHERE user_id = ${userId}::uuid
       AND confirmed_at IS NULL
       AND secret_encrypted = ${secretEncrypted}
       AND (last_used_step IS NULL OR last_used_step < ${step}::bigint)`;
  return rows === 1;
}

/**
 * Records `step` as the last used time step of the user's confirmed factor, only if no code of
 * that step or a later one was accepted before. Of two concurrent claims of one step, exactly one
 * returns true.
 */
export async function claimTotpStep(userId: string, step: number, client: DbClient = db()): Promise<boolean> {
  const rows = await client.$executeRaw`
    UPDATE totp_factors
       SET last_used_step = ${step}::bigint
     WHERE user_id = ${userId}::uuid
       AND confirmed_at IS NOT NULL
       AND (last_used_step IS NULL OR last_used_step < ${step}::bigint)`;
  return rows === 1;
}

/** Deletes the user's factor, pending or confirmed; returns what it was, or null when there was none. */
export async function deleteTotpFactor(userId: string, client: DbClient = db()): Promise<{ confirmedAt: Date | null } | null> {
  const rows = await client.$queryRaw<{ confirmed_at: Date | null }[]>`
    DELETE FROM totp_factors WHERE user_id = ${userId}::uuid RETURNING confirmed_at`;
  const [row] = rows;
  return row ? { confirmedAt: row.confirmed_at } : null;
}
