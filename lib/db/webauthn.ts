import 'server-only';
import { db } from './client';
import { Prisma } from './generated/client';
import type { DbClient } from './users';
import type { Bytes } from '../crypto/hash';

/**
 * Passkeys (webauthn_credentials) and WebAuthn ceremonies in progress (webauthn_challenges).
 * Queries only; the policy lives in lib/auth/webauthn. Every query on a user's passkeys names the
 * user, so one user can never read, rename or delete another's.
 */

export type CeremonyPurpose = 'registration' | 'authentication' | 'second_factor';

export interface NewCeremony {
  idHash: Bytes;
  purpose: CeremonyPurpose;
  userId: string | null;
  challenge: string;
  expiresAt: Date;
}

export interface StoredCeremony {
  purpose: string;
  userId: string | null;
  challenge: string;
  expiresAt: Date;
}

export interface NewPasskey {
  userId: string;
  credentialId: Bytes;
  publicKey: Bytes;
  counter: number;
  transports: string[];
  backupEligible: boolean;
  backedUp: boolean;
  aaguid: string;
  nickname: string;
  createdAt: Date;
}

/** What the account page shows of a passkey: nothing a browser could sign in with. */
const summaryFields = {
  id: true,
  nickname: true,
  createdAt: true,
  lastUsedAt: true,
  backupEligible: true,
  backedUp: true,
  transports: true,
} as const;

export type StoredPasskeySummary = Prisma.WebAuthnCredentialGetPayload<{ select: typeof summaryFields }>;

const verificationFields = {
  id: true,
  userId: true,
  publicKey: true,
  counter: true,
  transports: true,
  backupEligible: true,
  user: { select: { disabledAt: true } },
} as const;

export type StoredPasskeyForVerification = Prisma.WebAuthnCredentialGetPayload<{ select: typeof verificationFields }>;

export async function insertCeremony(ceremony: NewCeremony): Promise<void> {
  await db().webAuthnChallenge.create({ data: ceremony, select: { idHash: true } });
}

/**
 * Takes the ceremony out of the table: one DELETE … RETURNING, so of two concurrent
 * verifications with the same token exactly one gets the row. Expired rows are returned too (and
 * so deleted); the caller decides.
 */
export async function consumeCeremony(idHash: Bytes): Promise<StoredCeremony | null> {
  const rows = await db().$queryRaw<{ purpose: string; user_id: string | null; challenge: string; expires_at: Date }[]>`
    DELETE FROM webauthn_challenges WHERE id_hash = ${Buffer.from(idHash)}
    RETURNING purpose, user_id, challenge, expires_at`;
  const row = rows[0];
  return row ? { purpose: row.purpose, userId: row.user_id, challenge: row.challenge, expiresAt: row.expires_at } : null;
}

export async function deleteExpiredCeremonies(now: Date): Promise<number> {
  const { count } = await db().webAuthnChallenge.deleteMany({ where: { expiresAt: { lte: now } } });
  return count;
}

/**
 * Inserts a passkey; returns null when that credential ID is registered already (to anyone).
 * INSERT … ON CONFLICT DO NOTHING RETURNING: a duplicate neither throws nor aborts the caller's
 * transaction.
 */
export async function insertPasskey(passkey: NewPasskey, client: DbClient = db()): Promise<StoredPasskeySummary | null> {
  const [row] = await client.webAuthnCredential.createManyAndReturn({
    data: [{ ...passkey, counter: BigInt(passkey.counter) }],
    skipDuplicates: true,
    select: summaryFields,
  });
  return row ?? null;
}

/** The passkey with this credential ID, whoever owns it, with what verifying an assertion needs. */
export function findPasskeyByCredentialId(credentialId: Bytes): Promise<StoredPasskeyForVerification | null> {
  return db().webAuthnCredential.findUnique({ where: { credentialId }, select: verificationFields });
}

/** The credential IDs and transports of a user's passkeys (excludeCredentials, allowCredentials). */
export function listPasskeyDescriptors(userId: string): Promise<{ credentialId: Bytes; transports: string[] }[]> {
  return db().webAuthnCredential.findMany({
    where: { userId },
    select: { credentialId: true, transports: true },
    orderBy: { createdAt: 'asc' },
  });
}

export function listPasskeys(userId: string): Promise<StoredPasskeySummary[]> {
  return db().webAuthnCredential.findMany({
    where: { userId },
    select: summaryFields,
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
  });
}

export function countPasskeys(userId: string): Promise<number> {
  return db().webAuthnCredential.count({ where: { userId } });
}

/**
 * Records a verified assertion, if and only if its counter still moves forward: one conditional
 * UPDATE whose row count decides, so two assertions carrying the same counter cannot both pass.
 * Authenticators that do not count send 0 every time; 0 after 0 is accepted.
 */
export async function recordPasskeyUse(
  id: string,
  use: { counter: number; backedUp: boolean; usedAt: Date },
  client: DbClient = db(),
): Promise<boolean> {
  const counter = BigInt(use.counter);
  const { count } = await client.webAuthnCredential.updateMany({
    where: { id, OR: [{ counter: { lt: counter } }, ...(counter === 0n ? [{ counter: 0n }] : [])] },
    data: { counter, backedUp: use.backedUp, lastUsedAt: use.usedAt },
  });
  return count === 1;
}

/** Renames one of the user's passkeys; null when the user has no passkey with that id. */
export async function renamePasskey(
  userId: string,
  id: string,
  nickname: string,
  client: DbClient = db(),
): Promise<StoredPasskeySummary | null> {
  const { count } = await client.webAuthnCredential.updateMany({ where: { id, userId }, data: { nickname } });
  if (count === 0) return null;
  return client.webAuthnCredential.findFirst({ where: { id, userId }, select: summaryFields });
}

/** Deletes one of the user's passkeys; null when the user has no passkey with that id. */
export async function deletePasskey(userId: string, id: string, client: DbClient = db()): Promise<{ nickname: string } | null> {
  const rows = await client.$queryRaw<{ nickname: string }[]>`
    DELETE FROM webauthn_credentials WHERE id = ${id}::uuid AND user_id = ${userId}::uuid
    RETURNING nickname`;
  return rows[0] ?? null;
}
