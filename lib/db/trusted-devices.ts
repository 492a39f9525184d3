import 'server-only';
import { db } from './client';
import type { DbClient } from './users';
import type { Bytes } from '../crypto/hash';

export interface NewTrustedDevice {
  userId: string;
  tokenHash: Bytes;
  ip: string | null;
  userAgent: string | null;
  expiresAt: Date;
}

const listFields = { id: true, ip: true, userAgent: true, createdAt: true, lastUsedAt: true, expiresAt: true } as const;

export async function insertTrustedDevice(device: NewTrustedDevice): Promise<string> {
  return (await db().trustedDevice.create({ data: device, select: { id: true } })).id;
}

/** Marks the device used now when it is this user's and still trusted; returns whether it was. */
export async function markTrustedDeviceUsed(userId: string, tokenHash: Bytes, now: Date): Promise<boolean> {
  const { count } = await db().trustedDevice.updateMany({
    where: { tokenHash, userId, expiresAt: { gt: now } },
    data: { lastUsedAt: now },
  });
  return count === 1;
}

export function listTrustedDevices(userId: string, now: Date) {
  return db().trustedDevice.findMany({ where: { userId, expiresAt: { gt: now } }, select: listFields, orderBy: { lastUsedAt: 'desc' } });
}

export async function deleteTrustedDevice(userId: string, id: string): Promise<boolean> {
  const { count } = await db().trustedDevice.deleteMany({ where: { id, userId } });
  return count === 1;
}

export async function deleteUserTrustedDevices(userId: string, client: DbClient = db()): Promise<number> {
  const { count } = await client.trustedDevice.deleteMany({ where: { userId } });
  return count;
}

export async function deleteExpiredTrustedDevices(now: Date): Promise<number> {
  const { count } = await db().trustedDevice.deleteMany({ where: { expiresAt: { lte: now } } });
  return count;
}
