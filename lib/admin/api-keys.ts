import 'server-only';
import { recordAuditEvent } from '../audit/record';
import { getConfig } from '../config';
import { sha256 } from '../crypto/hash';
import { randomToken } from '../crypto/random';
import { db } from '../db/client';
import {
  apiKeyPrefixTaken,
  findApiKeyByHash,
  findApiKeyById,
  insertApiKey,
  listApiKeyRows,
  revokeApiKeyRow,
  supersedeApiKeyRow,
  touchApiKey,
  type ApiKeyRow,
} from '../db/api-keys';
import { findUserById, type DbClient } from '../db/users';
import { fieldErrorsOf, type FieldErrors } from '../validation/account';
import { auditActor, type AdminActor } from './actor';
import { API_KEY_SCOPES, createApiKeySchema, resolveExpiry, successorExpiry, type ApiKeyScope } from './api-key-schema';

export { API_KEY_SCOPE_DESCRIPTIONS, API_KEY_SCOPES, type ApiKeyScope } from './api-key-schema';

/**
 * Admin API keys: `opk_<prefix>_<secret>`, 8 random hex characters people can read to tell
 * keys apart, then 256 random bits. Only the SHA-256 of the whole key is stored (a 256-bit
 * random value needs no slow hash: there is nothing to guess).
 */
const KEY_PATTERN = /^opk_([0-9a-f]{8})_([A-Za-z0-9_-]{43})$/;

/** A new key: the text to show once, its visible prefix and the hash to store. */
export function generateApiKey(): { key: string; prefix: string; keyHash: ReturnType<typeof sha256> } {
  const prefix = `opk_${Buffer.from(randomToken(4), 'base64url').toString('hex').slice(0, 8).padEnd(8, '0')}`;
  const key = `${prefix}_${randomToken(32)}`;
  return { key, prefix, keyHash: sha256(key) };
}

/** Whether a key grants `scope`: a `:write` scope includes its `:read`. */
export function keyHasScope(scopes: readonly string[], scope: ApiKeyScope): boolean {
  if (scopes.includes(scope)) return true;
  return scope.endsWith(':read') && scopes.includes(scope.replace(/:read$/, ':write'));
}

export type ApiKeyStatus = 'active' | 'rotating' | 'expired' | 'revoked' | 'rotated';

/** Where a key stands at `now`: a rotated key works until its overlap ends (supersededAt). */
export function apiKeyStatus(key: Pick<ApiKeyRow, 'expiresAt' | 'revokedAt' | 'supersededAt'>, now = new Date()): ApiKeyStatus {
  if (key.revokedAt) return 'revoked';
  if (key.expiresAt <= now) return 'expired';
  if (key.supersededAt) return key.supersededAt > now ? 'rotating' : 'rotated';
  return 'active';
}

export type ApiKeyAuthentication =
  | { ok: true; key: ApiKeyRow }
  | { ok: false; error: 'missing' | 'malformed' | 'unknown' | 'expired' | 'revoked' | 'rotated' | 'creator_inactive' };

/**
 * A key acts with its creator's authority: it stops working while the administrator who made it
 * is disabled, deleted or no longer an administrator (keys made by the CLI or by another key have
 * no creator and are bound only by their own expiry and revocation).
 */
async function isActiveAdmin(userId: string): Promise<boolean> {
  const user = await findUserById(userId);
  return user !== null && user.isAdmin && user.disabledAt === null;
}

/**
 * The key in an `Authorization: Bearer` header (RFC 6750 §2.1), if it is one Optare issued and
 * still valid. Records its use (time and IP), at most once a minute.
 */
export async function authenticateApiKey(authorization: string | null, ip: string | null): Promise<ApiKeyAuthentication> {
  if (!authorization) return { ok: false, error: 'missing' };
  const match = /^Bearer +(\S+)$/i.exec(authorization.trim());
  if (!match) return { ok: false, error: 'malformed' };
  const key = match[1]!;
  if (!KEY_PATTERN.test(key)) return { ok: false, error: 'unknown' };
  const row = await findApiKeyByHash(sha256(key));
  if (!row) return { ok: false, error: 'unknown' };
  const now = new Date();
  const status = apiKeyStatus(row, now);
  if (status === 'revoked' || status === 'expired' || status === 'rotated') return { ok: false, error: status };
  if (row.createdByUserId && !(await isActiveAdmin(row.createdByUserId))) return { ok: false, error: 'creator_inactive' };
  await touchApiKey(row.id, ip, now);
  return { ok: true, key: row };
}

// ---------------------------------------------------------------------------------------------
// Managing keys (the console and the admin API): list, create, rotate, revoke. Every change is
// audited with its AdminActor in the same transaction; the key's text never is, its prefix may be.

/** A key as the console and the API show it: never its hash, with its status and rotation flag. */
export interface ApiKeySummary {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: Date;
  createdByUserId: string | null;
  expiresAt: Date;
  lastUsedAt: Date | null;
  lastUsedIp: string | null;
  revokedAt: Date | null;
  status: ApiKeyStatus;
  /** An active key at least as old as the rotation age (OPTARE_API_KEY_ROTATION_AGE): rotate it soon (as the dashboard warns). */
  rotationDue: boolean;
  /** A rotated key: when it stops working (the end of its overlap, or its expiry if sooner). */
  worksUntil: Date | null;
  /** A rotated key: its successor's id. */
  rotatedToId: string | null;
}

export function describeApiKey(row: ApiKeyRow, now = new Date()): ApiKeySummary {
  const status = apiKeyStatus(row, now);
  const rotationAgeMs = getConfig().admin.apiKeyRotationAgeSeconds * 1000;
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: [...row.scopes],
    createdAt: row.createdAt,
    createdByUserId: row.createdByUserId,
    expiresAt: row.expiresAt,
    lastUsedAt: row.lastUsedAt,
    lastUsedIp: row.lastUsedIp,
    revokedAt: row.revokedAt,
    status,
    rotationDue: status === 'active' && now.getTime() - row.createdAt.getTime() >= rotationAgeMs,
    worksUntil: row.supersededAt ? (row.supersededAt < row.expiresAt ? row.supersededAt : row.expiresAt) : null,
    rotatedToId: row.rotatedToId,
  };
}

export type ApiKeyPage = { ok: true; items: ApiKeySummary[]; nextCursor: string | null } | { ok: false; error: 'invalid_cursor' };

/** Keys, newest first, a page at a time (an opaque cursor names where the next page starts). */
export async function listApiKeys(options: { limit: number; cursor?: string | undefined }, now = new Date()): Promise<ApiKeyPage> {
  const after = options.cursor === undefined ? null : decodeCursor(options.cursor);
  if (after === undefined) return { ok: false, error: 'invalid_cursor' };
  const rows = await listApiKeyRows(options.limit + 1, after);
  const page = rows.slice(0, options.limit);
  const last = page.at(-1);
  return {
    ok: true,
    items: page.map((row) => describeApiKey(row, now)),
    nextCursor: rows.length > options.limit && last ? encodeCursor(last) : null,
  };
}

/** The key with this id, or null (also for anything that is not a key id). */
export async function findApiKey(id: string, now = new Date()): Promise<ApiKeySummary | null> {
  if (!isKeyId(id)) return null;
  const row = await findApiKeyById(id);
  return row ? describeApiKey(row, now) : null;
}

/** Scopes an API key acting through the API asked to hand out without holding them itself. */
export type ScopeNotHeld = { ok: false; error: 'scope_not_held'; scopes: string[] };

export type CreateApiKeyResult =
  | { ok: true; key: string; apiKey: ApiKeySummary }
  | { ok: false; fieldErrors: FieldErrors }
  | ScopeNotHeld;

/**
 * Creates a key from `{ name, scopes, expiresAt? }` (createApiKeySchema). The key's text is in
 * the result, once: only its hash is stored. An API key creating a key may hand out only scopes
 * it holds itself.
 */
export async function createApiKey(input: unknown, actor: AdminActor): Promise<CreateApiKeyResult> {
  const parsed = createApiKeySchema.safeParse(input);
  if (!parsed.success) return { ok: false, fieldErrors: fieldErrorsOf(parsed.error) };
  const { name, scopes, expiresAt: expiry } = parsed.data;
  const now = new Date();
  const expires = resolveExpiry(expiry, now);
  if (!expires.ok) return { ok: false, fieldErrors: { expiresAt: [expires.message] } };

  return db().$transaction(async (tx): Promise<CreateApiKeyResult> => {
    const notHeld = await scopesNotHeld(actor, scopes, tx);
    if (notHeld) return notHeld;
    const { key, row } = await insertNewKey({ name, scopes: ordered(scopes), expiresAt: expires.expiresAt, actor }, tx);
    await recordAuditEvent(
      {
        type: 'api_key.created',
        outcome: 'success',
        ...auditActor(actor),
        subject: row.id,
        details: { name: row.name, prefix: row.prefix, scopes: row.scopes, expiresAt: row.expiresAt.toISOString() },
      },
      tx,
    );
    return { ok: true, key, apiKey: describeApiKey(row, now) };
  });
}

export type RotateApiKeyResult =
  | { ok: true; key: string; apiKey: ApiKeySummary; previous: ApiKeySummary }
  | { ok: false; error: 'not_found' }
  | { ok: false; error: 'not_active'; status: ApiKeyStatus }
  | ScopeNotHeld;

class RotationRaced extends Error {
  constructor(readonly status: ApiKeyStatus) {
    super('the key changed while it was being rotated');
  }
}

/**
 * Replaces an active key with a new one of the same name and scopes, valid for as long as the
 * old one was (createdAt to expiresAt). The old key keeps working for the overlap period
 * (OPTARE_API_KEY_OVERLAP, or until it expires if sooner), so whatever uses it can move to the
 * new one; then it stops. A key already rotated, revoked or expired cannot be rotated.
 */
export async function rotateApiKey(id: string, actor: AdminActor): Promise<RotateApiKeyResult> {
  if (!isKeyId(id)) return { ok: false, error: 'not_found' };
  const now = new Date();
  const overlapEndsAt = new Date(now.getTime() + getConfig().admin.apiKeyOverlapSeconds * 1000);
  try {
    return await db().$transaction(async (tx): Promise<RotateApiKeyResult> => {
      const old = await findApiKeyById(id, tx);
      if (!old) return { ok: false, error: 'not_found' };
      const status = apiKeyStatus(old, now);
      if (status !== 'active') return { ok: false, error: 'not_active', status };
      const notHeld = await scopesNotHeld(actor, old.scopes, tx);
      if (notHeld) return notHeld;
      const { key, row } = await insertNewKey({ name: old.name, scopes: old.scopes, expiresAt: successorExpiry(old, now), actor }, tx);
      // Conditioned on the key still being active: of two rotations at once, one wins.
      if (!(await supersedeApiKeyRow(id, overlapEndsAt, row.id, now, tx))) {
        const current = await findApiKeyById(id, tx);
        throw new RotationRaced(current ? apiKeyStatus(current, now) : 'revoked');
      }
      const previous = describeApiKey({ ...old, supersededAt: overlapEndsAt, rotatedToId: row.id }, now);
      await recordAuditEvent(
        {
          type: 'api_key.rotated',
          outcome: 'success',
          ...auditActor(actor),
          subject: old.id,
          details: {
            name: old.name,
            prefix: old.prefix,
            newKeyId: row.id,
            newPrefix: row.prefix,
            oldWorksUntil: previous.worksUntil!.toISOString(),
            expiresAt: row.expiresAt.toISOString(),
          },
        },
        tx,
      );
      return { ok: true, key, apiKey: describeApiKey(row, now), previous };
    });
  } catch (error) {
    if (error instanceof RotationRaced) return { ok: false, error: 'not_active', status: error.status };
    throw error;
  }
}

export type RevokeApiKeyResult = { ok: true; apiKey: ApiKeySummary } | { ok: false; error: 'not_found' | 'already_revoked' };

/** Stops a key at once, whatever its state (a rotated key in its overlap period too). */
export async function revokeApiKey(id: string, actor: AdminActor): Promise<RevokeApiKeyResult> {
  if (!isKeyId(id)) return { ok: false, error: 'not_found' };
  const now = new Date();
  return db().$transaction(async (tx): Promise<RevokeApiKeyResult> => {
    const key = await findApiKeyById(id, tx);
    if (!key) return { ok: false, error: 'not_found' };
    if (!(await revokeApiKeyRow(id, now, tx))) return { ok: false, error: 'already_revoked' };
    await recordAuditEvent(
      {
        type: 'api_key.revoked',
        outcome: 'success',
        ...auditActor(actor),
        subject: key.id,
        details: { name: key.name, prefix: key.prefix, statusBefore: apiKeyStatus(key, now) },
      },
      tx,
    );
    return { ok: true, apiKey: describeApiKey({ ...key, revokedAt: now }, now) };
  });
}

/**
 * The privilege-escalation guard: an API key may hand out (by creating or rotating a key) only
 * scopes it holds itself. An administrator in the console may hand out any.
 */
async function scopesNotHeld(actor: AdminActor, scopes: readonly string[], tx: DbClient): Promise<ScopeNotHeld | null> {
  if (actor.kind === 'user') return null;
  const acting = await findApiKeyById(actor.apiKeyId, tx);
  const held = acting?.scopes ?? [];
  const missing = scopes.filter((scope) => !isScope(scope) || !keyHasScope(held, scope));
  return missing.length > 0 ? { ok: false, error: 'scope_not_held', scopes: missing } : null;
}

const PREFIX_TRIES = 5;

/** Inserts a new key with a prefix no other key has (the prefix is only 32 bits). */
async function insertNewKey(
  settings: { name: string; scopes: string[]; expiresAt: Date; actor: AdminActor },
  tx: DbClient,
): Promise<{ key: string; row: ApiKeyRow }> {
  for (let attempt = 1; ; attempt++) {
    const { key, prefix, keyHash } = generateApiKey();
    if (attempt < PREFIX_TRIES && (await apiKeyPrefixTaken(prefix, tx))) continue;
    const row = await insertApiKey(
      {
        name: settings.name,
        prefix,
        keyHash,
        scopes: settings.scopes,
        createdByUserId: settings.actor.kind === 'user' ? settings.actor.userId : null,
        expiresAt: settings.expiresAt,
      },
      tx,
    );
    return { key, row };
  }
}

function isScope(value: string): value is ApiKeyScope {
  return (API_KEY_SCOPES as readonly string[]).includes(value);
}

/** Scopes in the order of API_KEY_SCOPES, so a key's list reads the same wherever it is shown. */
function ordered(scopes: readonly ApiKeyScope[]): ApiKeyScope[] {
  return API_KEY_SCOPES.filter((scope) => scopes.includes(scope));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Key ids are UUIDs; anything else is not looked up (the column would refuse it). */
export function isKeyId(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

function encodeCursor(row: Pick<ApiKeyRow, 'createdAt' | 'id'>): string {
  return Buffer.from(JSON.stringify([row.createdAt.toISOString(), row.id])).toString('base64url');
}

/** The position a cursor names, or undefined when it is not one this module made. */
function decodeCursor(cursor: string): { createdAt: Date; id: string } | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 2) return undefined;
    const [at, id] = value as unknown[];
    if (typeof at !== 'string' || !isKeyId(id)) return undefined;
    const createdAt = new Date(at);
    return Number.isNaN(createdAt.getTime()) ? undefined : { createdAt, id };
  } catch {
    return undefined;
  }
}
