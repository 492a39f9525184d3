import 'server-only';
import { getConfig } from '../config';
import { findClientAdminRow, searchClientRows, type ClientAdminRow, type ClientPosition } from '../db/clients';
import type { OAuthClientRecord } from '../oauth/clients/types';
import {
  clientRecordOf,
  createClient,
  deleteClient,
  rotateClientSecret,
  setClientEnabled,
  updateClient,
} from '../oauth/clients/registration';
import { jsonError } from '../http/responses';
import type { FieldErrors } from '../validation/account';
import type { AdminActor } from './actor';
import { CONSOLE_CLIENT_ID } from './console-client';

/**
 * OAuth clients in the admin plane (the console and the admin API): what an administrator sees
 * of a client, search and pagination, and the changes, each made with an AdminActor so the
 * audit log names the administrator or API key. The rules of the settings themselves live in
 * lib/oauth/clients (registration.ts, settings-schema.ts), shared with the CLI.
 */

/** A client as the admin plane shows it. Never a secret or its hash: `hasSecret` only. */
export interface AdminClient extends OAuthClientRecord {
  /** Whether the client has a secret (client_secret_basic or client_secret_post). */
  hasSecret: boolean;
  /** Until when the secret before the last rotation still works (ISO 8601); null when it no longer does. */
  previousSecretExpiresAt: string | null;
  /** The admin console's own client: Optare manages it, administrators cannot change it. */
  managed: boolean;
  createdAt: string;
  updatedAt: string;
}

/** The errors of the admin plane's client operations, with the status and message each answers with. */
export const CLIENT_ERRORS = {
  not_found: [404, 'No client has this id. It may have been deleted: reload the list.'],
  managed_client: [409, 'This is the admin console’s own client: Optare manages it, and it cannot be changed, disabled or deleted.'],
  no_secret: [409, 'This client has no secret to rotate: it is public or authenticates with private_key_jwt.'],
  invalid_cursor: [400, 'The cursor is not valid: start again from the first page.'],
} as const satisfies Record<string, readonly [number, string]>;

export type ClientErrorCode = keyof typeof CLIENT_ERRORS;

type Failure = { ok: false; error: ClientErrorCode } | { ok: false; fieldErrors: FieldErrors };

/** The answer for a failed client operation, in the JSON error shape the console and the admin API share. */
export function clientFailureResponse(failure: { error: ClientErrorCode } | { fieldErrors: FieldErrors }): Response {
  if ('fieldErrors' in failure) return jsonError(400, 'invalid_request', 'Some fields need attention.', failure.fieldErrors);
  const [status, message] = CLIENT_ERRORS[failure.error];
  return jsonError(status, failure.error, message);
}

export const CLIENT_SEARCH_MAX = 100;
export const CLIENT_PAGE_DEFAULT = 25;
export const CLIENT_PAGE_MAX = 100;

export interface ClientPage {
  items: AdminClient[];
  /** Opaque: pass it back to get the next page. Null on the last page. */
  nextCursor: string | null;
}

/**
 * A page of clients, newest first. `search` keeps those whose name or id contains it, ignoring
 * case (it is matched literally: % and _ are not wildcards).
 */
export async function listAdminClients(options: {
  search?: string | null;
  limit?: number;
  cursor?: string | null;
}): Promise<({ ok: true } & ClientPage) | { ok: false; error: 'invalid_cursor' }> {
  const search = options.search?.trim().slice(0, CLIENT_SEARCH_MAX) || null;
  const limit = Math.min(Math.max(Math.trunc(options.limit ?? CLIENT_PAGE_DEFAULT), 1), CLIENT_PAGE_MAX);
  let after: ClientPosition | null = null;
  if (options.cursor) {
    after = decodeCursor(options.cursor);
    if (!after) return { ok: false, error: 'invalid_cursor' };
  }
  const rows = await searchClientRows({ search, after, take: limit });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    ok: true,
    items: page.map(toAdminClient),
    nextCursor: rows.length > limit && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null,
  };
}

export async function getAdminClient(clientId: string): Promise<AdminClient | null> {
  if (!plausibleId(clientId)) return null;
  const row = await findClientAdminRow(clientId);
  return row ? toAdminClient(row) : null;
}

/** Registers a client; a confidential client with a secret method gets its secret here, once. */
export async function createAdminClient(
  input: unknown,
  actor: AdminActor,
): Promise<{ ok: true; client: AdminClient; secret: string | null } | Failure> {
  const result = await createClient(input, actor);
  if (!result.ok) return result;
  return { ok: true, client: await reload(result.client.id), secret: result.secret };
}

/**
 * Changes some or all of a client's settings (see updateClient). `secret` is a new secret, shown
 * once, when the change made the client start using one.
 */
export async function updateAdminClient(
  clientId: string,
  input: unknown,
  actor: AdminActor,
): Promise<{ ok: true; client: AdminClient; secret: string | null; changed: boolean } | Failure> {
  if (clientId === CONSOLE_CLIENT_ID) return { ok: false, error: 'managed_client' };
  const result = await updateClient(clientId, input, actor);
  if (!result.ok) return result;
  return { ok: true, client: await reload(clientId), secret: result.secret, changed: result.changes.length > 0 };
}

/** Disables or enables a client (see setClientEnabled); doing it twice changes nothing the second time. */
export async function setAdminClientEnabled(
  clientId: string,
  enabled: boolean,
  actor: AdminActor,
): Promise<{ ok: true; client: AdminClient; changed: boolean } | Failure> {
  if (clientId === CONSOLE_CLIENT_ID) return { ok: false, error: 'managed_client' };
  const result = await setClientEnabled(clientId, enabled, actor);
  if (!result.ok) return result;
  return { ok: true, client: await reload(clientId), changed: result.changed };
}

/**
 * Gives a client a new secret, returned once. The old one keeps working for the configured
 * overlap (OPTARE_CLIENT_SECRET_OVERLAP, getConfig().admin.clientSecretOverlapSeconds) so the
 * client can be redeployed without downtime, or stops at once with `immediate` (a leaked secret)
 * or when the overlap is 0.
 */
export async function rotateAdminClientSecret(
  clientId: string,
  actor: AdminActor,
  { immediate = false }: { immediate?: boolean } = {},
): Promise<{ ok: true; client: AdminClient; secret: string; previousSecretExpiresAt: string | null } | Failure> {
  if (clientId === CONSOLE_CLIENT_ID) return { ok: false, error: 'managed_client' };
  const overlapSeconds = immediate ? 0 : getConfig().admin.clientSecretOverlapSeconds;
  const result = await rotateClientSecret(clientId, actor, { overlapSeconds });
  if (!result.ok) return result;
  return {
    ok: true,
    client: await reload(clientId),
    secret: result.secret,
    previousSecretExpiresAt: result.previousSecretExpiresAt?.toISOString() ?? null,
  };
}

/** Deletes a client with its consents and grants: every token issued to it stops working. */
export async function deleteAdminClient(clientId: string, actor: AdminActor): Promise<{ ok: true } | Failure> {
  if (clientId === CONSOLE_CLIENT_ID) return { ok: false, error: 'managed_client' };
  return (await deleteClient(clientId, actor)) ? { ok: true } : { ok: false, error: 'not_found' };
}

function toAdminClient(row: ClientAdminRow, now = Date.now()): AdminClient {
  return {
    ...clientRecordOf(row),
    hasSecret: row.hasSecret,
    previousSecretExpiresAt:
      row.previousSecretExpiresAt && row.previousSecretExpiresAt.getTime() > now ? row.previousSecretExpiresAt.toISOString() : null,
    managed: row.id === CONSOLE_CLIENT_ID,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** The client as stored after a change (a change that succeeded has a row to read, barring a concurrent delete). */
async function reload(clientId: string): Promise<AdminClient> {
  const row = await findClientAdminRow(clientId);
  if (!row) throw new Error(`client ${clientId} vanished after a change`);
  return toAdminClient(row);
}


/** The column is VARCHAR(64): a longer id names no client. */
function plausibleId(clientId: string): boolean {
  return clientId.length > 0 && clientId.length <= 64;
}

/** Cursors are opaque to callers: base64url of the last item's creation time and id. */
function encodeCursor(position: ClientPosition): string {
  return Buffer.from(JSON.stringify([position.createdAt.toISOString(), position.id])).toString('base64url');
}

function decodeCursor(cursor: string): ClientPosition | null {
  if (cursor.length > 200 || !/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 2) return null;
    const [time, id] = value as unknown[];
    if (typeof time !== 'string' || typeof id !== 'string' || !plausibleId(id)) return null;
    const createdAt = new Date(time);
    return Number.isNaN(createdAt.getTime()) || createdAt.toISOString() !== time ? null : { createdAt, id };
  } catch {
    return null;
  }
}
