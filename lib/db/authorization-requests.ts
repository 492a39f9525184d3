import 'server-only';
import { db } from './client';
import { Prisma } from './generated/client';
import type { Bytes } from '../crypto/hash';

export interface NewAuthorizationRequest {
  idHash: Bytes;
  clientId: string;
  /** A JSON-serialisable object (the validated request). */
  params: object;
  expiresAt: Date;
}

export interface StoredAuthorizationRequest {
  clientId: string;
  params: Prisma.JsonValue;
  /** Set by the database clock, like a session's createdAt, so the two compare reliably. */
  createdAt: Date;
  expiresAt: Date;
}

const fields = { clientId: true, params: true, createdAt: true, expiresAt: true } as const;

export async function insertAuthorizationRequest(request: NewAuthorizationRequest): Promise<StoredAuthorizationRequest> {
  return db().authorizationRequest.create({
    data: { ...request, params: request.params as Prisma.InputJsonObject },
    select: fields,
  });
}

/** The pending request with this hash, unless it has expired. Reading does not consume it. */
export function findAuthorizationRequest(idHash: Bytes, now: Date): Promise<StoredAuthorizationRequest | null> {
  return db().authorizationRequest.findFirst({ where: { idHash, expiresAt: { gt: now } }, select: fields });
}

/**
 * Consumes a pending request: one DELETE … RETURNING, so of two concurrent callers exactly one
 * gets the row and the other gets null. An expired request is never returned.
 */
export async function consumeAuthorizationRequest(idHash: Bytes, now: Date): Promise<StoredAuthorizationRequest | null> {
  try {
    return await db().authorizationRequest.delete({ where: { idHash, expiresAt: { gt: now } }, select: fields });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2025') return null;
    throw error;
  }
}

export async function deleteExpiredAuthorizationRequests(now: Date): Promise<number> {
  const { count } = await db().authorizationRequest.deleteMany({ where: { expiresAt: { lte: now } } });
  return count;
}
