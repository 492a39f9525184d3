import 'server-only';
import {
  consumeAuthorizationRequest,
  findAuthorizationRequest,
  insertAuthorizationRequest,
  type StoredAuthorizationRequest,
} from '../../db/authorization-requests';
import { findEnabledClient } from '../clients/registration';
import { handleHash, isRequestHandle, newRequestHandle } from './handle';
import { authorizationDetailsSchema, type AuthorizationDetails } from './request';

/** A pending request lives this long: enough to sign in and consent, short enough to be useless stolen. */
export const PENDING_REQUEST_TTL_SECONDS = 10 * 60;

export interface PendingRequest {
  details: AuthorizationDetails;
  createdAt: Date;
}

/** Stores a validated request for the sign-in and consent steps; returns its opaque handle. */
export async function storePendingRequest(details: AuthorizationDetails, now: Date): Promise<string> {
  const { handle, idHash } = newRequestHandle();
  await insertAuthorizationRequest({
    idHash,
    clientId: details.clientId,
    params: details,
    createdAt: now,
    expiresAt: new Date(now.getTime() + PENDING_REQUEST_TTL_SECONDS * 1000),
  });
  return handle;
}

/** The live pending request a handle stands for, or null (malformed, unknown, expired or used). */
export async function findPendingRequest(handle: unknown, now: Date): Promise<PendingRequest | null> {
  if (!isRequestHandle(handle)) return null;
  return toPending(await findAuthorizationRequest(handleHash(handle), now));
}

/** Single use: the first caller gets the request and deletes it; every later one gets null. */
export async function consumePendingRequest(handle: string, now: Date): Promise<PendingRequest | null> {
  if (!isRequestHandle(handle)) return null;
  return toPending(await consumeAuthorizationRequest(handleHash(handle), now));
}

function toPending(row: StoredAuthorizationRequest | null): PendingRequest | null {
  if (!row) return null;
  const parsed = authorizationDetailsSchema.safeParse(row.params);
  // A row written by an older version in another shape is treated as expired.
  if (!parsed.success || parsed.data.clientId !== row.clientId) return null;
  return { details: parsed.data, createdAt: row.createdAt };
}

/** The name of the app a live pending request comes from, for the sign-in and sign-up pages; null for anything else. */
export async function pendingRequestClientName(handle: unknown, now: Date): Promise<string | null> {
  const pending = await findPendingRequest(handle, now);
  if (!pending) return null;
  return (await findEnabledClient(pending.details.clientId))?.name ?? null;
}
