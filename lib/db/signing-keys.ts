import 'server-only';
import { db } from './client';
import type { Prisma } from './generated/client';
import type { DbClient } from './users';

/**
 * The pg_advisory_xact_lock key that serialises signing-key changes across every Optare
 * instance on one PostgreSQL (an arbitrary constant).
 */
const SIGNING_KEY_LOCK = 0x6f70746172_65736bn; // "optaresk"

export interface NewSigningKeyRow {
  kid: string;
  alg: string;
  publicJwk: Prisma.InputJsonObject;
  privateKeyEncrypted: string;
  createdAt: Date;
}

const publicFields = { kid: true, alg: true, publicJwk: true, createdAt: true, retiredAt: true, publishUntil: true } as const;

/**
 * Runs `work` in a transaction that first takes the signing-key advisory lock, so that of several
 * instances starting (or rotating) at once, one changes the keys and the others then see its
 * change. The lock is released when the transaction ends.
 */
export function withSigningKeyLock<T>(work: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
  return db().$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${SIGNING_KEY_LOCK})`;
      return work(tx);
    },
    // Other instances may hold the lock for a moment: wait for it rather than fail the start.
    { maxWait: 15_000, timeout: 30_000 },
  );
}

/** The key that signs `alg` tokens now: the newest one of that alg not retired (there is one, but the newest wins). */
export function findActiveSigningKey(alg = 'RS256', client: DbClient = db()) {
  return client.signingKey.findFirst({ where: { alg, retiredAt: null }, orderBy: [{ createdAt: 'desc' }, { kid: 'asc' }] });
}

/** The algorithms that have an active key, with that key (the newest per alg) and when it was created. */
export async function findActiveSigningKeyAges(client: DbClient = db()): Promise<{ alg: string; kid: string; createdAt: Date }[]> {
  const rows = await client.signingKey.findMany({ where: { retiredAt: null }, select: { alg: true, kid: true, createdAt: true }, orderBy: { createdAt: 'desc' } });
  const newest = new Map<string, { alg: string; kid: string; createdAt: Date }>();
  for (const row of rows) if (!newest.has(row.alg)) newest.set(row.alg, row);
  return [...newest.values()];
}

/** Public parts of the keys to publish at `at`: the active ones and the retired ones still within publishUntil. */
export function findPublishedSigningKeys(at: Date, client: DbClient = db()) {
  return client.signingKey.findMany({
    where: { OR: [{ retiredAt: null }, { publishUntil: { gt: at } }] },
    orderBy: { createdAt: 'desc' },
    select: publicFields,
  });
}

/** The newest `limit` keys, active or not, public parts only (the console's list). */
export function listSigningKeys(limit: number, client: DbClient = db()) {
  return client.signingKey.findMany({
    orderBy: [{ createdAt: 'desc' }, { kid: 'asc' }],
    take: limit,
    select: { kid: true, alg: true, publicJwk: true, createdAt: true, retiredAt: true, publishUntil: true },
  });
}

export async function insertSigningKey(row: NewSigningKeyRow, client: DbClient = db()): Promise<void> {
  await client.signingKey.create({ data: row });
}

/** Retires a key that is still active; returns false when it was already retired (or is unknown). */
export async function retireSigningKey(kid: string, retiredAt: Date, publishUntil: Date, client: DbClient = db()): Promise<boolean> {
  const { count } = await client.signingKey.updateMany({ where: { kid, retiredAt: null }, data: { retiredAt, publishUntil } });
  return count === 1;
}
