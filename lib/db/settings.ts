import 'server-only';
import { db } from './client';
import type { Prisma } from './generated/client';
import type { DbClient } from './users';

/** The settings table: key → JSON value. Queries only: the rules live in lib/settings and lib/admin/settings.ts. */

export interface StoredSettingRow {
  key: string;
  value: Prisma.JsonValue;
  updatedAt: Date;
  updatedByUserId: string | null;
}

/**
 * The pg_advisory_xact_lock key that serialises settings changes across every Optare instance
 * (an arbitrary constant), so that two administrators saving at once record true before values.
 */
const SETTINGS_LOCK = 0x6f70746172_736574n; // "optareset"

/** The stored rows of these keys (absent keys have no row). */
export function readSettings(keys: readonly string[], client: DbClient = db()): Promise<StoredSettingRow[]> {
  return client.setting.findMany({
    where: { key: { in: [...keys] } },
    select: { key: true, value: true, updatedAt: true, updatedByUserId: true },
  });
}

/** Runs `work` in a transaction holding the settings lock (released when the transaction ends). */
export function withSettingsLock<T>(work: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
  return db().$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${SETTINGS_LOCK})`;
    return work(tx);
  });
}

export async function upsertSetting(
  key: string,
  value: Prisma.InputJsonValue,
  updatedByUserId: string | null,
  tx: DbClient,
): Promise<void> {
  await tx.setting.upsert({
    where: { key },
    create: { key, value, updatedByUserId },
    update: { value, updatedByUserId },
  });
}

export async function deleteSettings(keys: readonly string[], tx: DbClient): Promise<number> {
  if (keys.length === 0) return 0;
  const { count } = await tx.setting.deleteMany({ where: { key: { in: [...keys] } } });
  return count;
}
