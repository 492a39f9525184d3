import 'server-only';
import { db } from './client';
import type { DbClient } from './users';
import type { Bytes } from '../crypto/hash';

/** The api_keys table. Queries only: the rules live in lib/admin/api-keys.ts. */

export interface ApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdByUserId: string | null;
  createdAt: Date;
  expiresAt: Date;
  lastUsedAt: Date | null;
  lastUsedIp: string | null;
  revokedAt: Date | null;
  supersededAt: Date | null;
  rotatedToId: string | null;
}

export const apiKeyFields = {
  id: true,
  name: true,
  prefix: true,
  scopes: true,
  createdByUserId: true,
  createdAt: true,
  expiresAt: true,
  lastUsedAt: true,
  lastUsedIp: true,
  revokedAt: true,
  supersededAt: true,
  rotatedToId: true,
} as const;

export interface NewApiKeyRow {
  name: string;
  prefix: string;
  keyHash: Bytes;
  scopes: string[];
  createdByUserId: string | null;
  expiresAt: Date;
}

export function insertApiKey(row: NewApiKeyRow, tx: DbClient = db()): Promise<ApiKeyRow> {
  return tx.apiKey.create({ data: row, select: apiKeyFields });
}

export function findApiKeyByHash(keyHash: Bytes): Promise<ApiKeyRow | null> {
  return db().apiKey.findUnique({ where: { keyHash }, select: apiKeyFields });
}

export function findApiKeyById(id: string, tx: DbClient = db()): Promise<ApiKeyRow | null> {
  return tx.apiKey.findUnique({ where: { id }, select: apiKeyFields });
}

/** Records a use, at most once a minute per key (the admin API must not write on every read). */
export async function touchApiKey(id: string, ip: string | null, now: Date): Promise<void> {
  await db().apiKey.updateMany({
    where: { id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: new Date(now.getTime() - 60_000) } }] },
    data: { lastUsedAt: now, lastUsedIp: ip },
  });
}

export async function apiKeyPrefixTaken(prefix: string, tx: DbClient = db()): Promise<boolean> {
  return (await tx.apiKey.count({ where: { prefix } })) > 0;
}

/** Keys newest first, `limit` of them, after `after` (the last key of the previous page). */
export function listApiKeyRows(limit: number, after: { createdAt: Date; id: string } | null, tx: DbClient = db()): Promise<ApiKeyRow[]> {
  return tx.apiKey.findMany({
    where: after ? { OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }] } : {},
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: limit,
    select: apiKeyFields,
  });
}

/** Marks a key rotated, if it is still active: false when it was revoked, rotated or expired meanwhile. */
export async function supersedeApiKeyRow(id: string, supersededAt: Date, rotatedToId: string, now: Date, tx: DbClient = db()): Promise<boolean> {
  const { count } = await tx.apiKey.updateMany({
    where: { id, revokedAt: null, supersededAt: null, expiresAt: { gt: now } },
    data: { supersededAt, rotatedToId },
  });
  return count === 1;
}

/** Revokes a key not yet revoked: false when there is none. */
export async function revokeApiKeyRow(id: string, now: Date, tx: DbClient = db()): Promise<boolean> {
  const { count } = await tx.apiKey.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: now } });
  return count === 1;
}
