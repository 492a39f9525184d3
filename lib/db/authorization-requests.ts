import 'server-only';
import { db, queryFirstRow } from './client';
import type { Bytes } from '../crypto/hash';

/*
 * Every authorization request is stored, read and consumed here, so these go to the driver in
 * SQL, prepared on PostgreSQL (queryRows), rather than through Prisma (docs/decisions.md, "The
 * sign-in flow's statements through the driver").
 */

export interface NewAuthorizationRequest {
  idHash: Bytes;
  clientId: string;
  /** A JSON-serialisable object (the validated request). */
  params: object;
  createdAt: Date;
  expiresAt: Date;
}

export interface StoredAuthorizationRequest {
  clientId: string;
  /** The stored JSON, parsed. */
  params: unknown;
  /** When the request arrived, by the same clock as a session's createdAt, so the two compare. */
  createdAt: Date;
  expiresAt: Date;
}

interface AuthorizationRequestSqlRow {
  client_id: string;
  params: unknown;
  created_at: Date;
  expires_at: Date;
}

const COLUMNS = `"client_id", "params", "created_at", "expires_at"`;

function storedRequest(row: AuthorizationRequestSqlRow | null): StoredAuthorizationRequest | null {
  return row && { clientId: row.client_id, params: row.params, createdAt: row.created_at, expiresAt: row.expires_at };
}

export async function insertAuthorizationRequest(request: NewAuthorizationRequest): Promise<void> {
  await queryFirstRow(
    'optare.insert_authorization_request',
    `INSERT INTO "authorization_requests" ("id_hash", "client_id", "params", "created_at", "expires_at") VALUES ($1, $2, $3::jsonb, $4, $5)`,
    [request.idHash, request.clientId, JSON.stringify(request.params), request.createdAt, request.expiresAt],
  );
}

/** The pending request with this hash, unless it has expired. Reading does not consume it. */
export async function findAuthorizationRequest(idHash: Bytes, now: Date): Promise<StoredAuthorizationRequest | null> {
  return storedRequest(await queryFirstRow<AuthorizationRequestSqlRow>(
    'optare.find_authorization_request',
    `SELECT ${COLUMNS} FROM "authorization_requests" WHERE "id_hash" = $1 AND "expires_at" > $2`,
    [idHash, now],
  ));
}

/**
 * Consumes a pending request: one DELETE … RETURNING, so of two concurrent callers exactly one
 * gets the row and the other gets null. An expired request is never returned.
 */
export async function consumeAuthorizationRequest(idHash: Bytes, now: Date): Promise<StoredAuthorizationRequest | null> {
  return storedRequest(await queryFirstRow<AuthorizationRequestSqlRow>(
    'optare.consume_authorization_request',
    `DELETE FROM "authorization_requests" WHERE "id_hash" = $1 AND "expires_at" > $2 RETURNING ${COLUMNS}`,
    [idHash, now],
  ));
}

export async function deleteExpiredAuthorizationRequests(now: Date): Promise<number> {
  const { count } = await db().authorizationRequest.deleteMany({ where: { expiresAt: { lte: now } } });
  return count;
}
