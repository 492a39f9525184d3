import 'server-only';
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { db } from '../../db/client';
import {
  deleteClientRow,
  findClientById,
  findClientWithSecret,
  insertClient,
  listClientRows,
  updateClientSecretHash,
  type ClientRow,
} from '../../db/clients';
import { recordAuditEvent } from '../../audit/record';
import type { AuditContext } from '../../audit/events';
import { sha256 } from '../../crypto/hash';
import { randomToken } from '../../crypto/random';
import { fieldErrorsOf, type FieldErrors } from '../../validation/account';
import { forgetRegisteredCorsOrigins } from '../cors';
import { cachedClient, freezeRecord, invalidateClientCache, type LoadedClient } from './cache';
import { clientSettingsSchema, RSA_MIN_MODULUS_BITS, type PublicJwk } from './settings-schema';
import { SECRET_AUTH_METHODS, type OAuthClientRecord, type TokenEndpointAuthMethod } from './types';

export { clientSettingsSchema } from './settings-schema';

/** Who makes a change: the request's (or the CLI's) audit context, and the signed-in admin if any. */
export type ClientActor = AuditContext & { userId?: string | null };

const SYSTEM: ClientActor = { ip: null, userAgent: null, requestId: null };
/** The column is VARCHAR(64); longer ids cannot exist, so they are not looked up. */
const CLIENT_ID_MAX = 64;

export type CreateClientResult =
  | { ok: true; client: OAuthClientRecord; secret: string | null }
  | { ok: false; fieldErrors: FieldErrors };

/**
 * Registers a client from the CLI or the admin console. The id is random (128 bits); a
 * confidential client using client_secret_basic or client_secret_post gets a random 256-bit
 * secret, returned here once and stored only as its SHA-256. The row and its audit event are
 * written in one transaction.
 */
export async function createClient(input: unknown, actor: ClientActor): Promise<CreateClientResult> {
  const parsed = clientSettingsSchema.safeParse(input);
  if (!parsed.success) return { ok: false, fieldErrors: fieldErrorsOf(parsed.error) };
  const settings = parsed.data;
  const keyProblems = settings.jwks ? unusableKeyProblems(settings.jwks.keys) : [];
  if (keyProblems.length > 0) return { ok: false, fieldErrors: { jwks: keyProblems } };

  const secret = usesSecret(settings.tokenEndpointAuthMethod) ? randomToken(32) : null;
  const row = await db().$transaction(async (tx) => {
    const created = await insertClient(
      { id: `oc_${randomToken(16)}`, ...settings, secretHash: secret === null ? null : sha256(secret) },
      tx,
    );
    await recordAuditEvent(
      {
        type: 'client.created',
        outcome: 'success',
        actorUserId: actor.userId ?? null,
        subject: created.id,
        details: {
          name: created.name,
          type: created.type,
          authMethod: created.tokenEndpointAuthMethod,
          grantTypes: created.grantTypes,
          firstParty: created.firstParty,
        },
        context: auditContext(actor),
      },
      tx,
    );
    return created;
  });
  clientsChanged();
  return { ok: true, client: toRecord(row), secret };
}

export type RotateClientSecretResult = { ok: true; secret: string } | { ok: false; error: 'not_found' | 'no_secret' };

/**
 * Gives a client a new secret; the old one stops working at once in this process and within
 * CLIENT_CACHE_TTL_MS in others. `no_secret`: the client is public or uses private_key_jwt.
 */
export async function rotateClientSecret(clientId: string, actor: ClientActor = SYSTEM): Promise<RotateClientSecretResult> {
  if (!isPlausibleId(clientId)) return { ok: false, error: 'not_found' };
  const result = await db().$transaction(async (tx): Promise<RotateClientSecretResult> => {
    const client = await findClientById(clientId, tx);
    if (!client) return { ok: false, error: 'not_found' };
    if (!usesSecret(client.tokenEndpointAuthMethod)) return { ok: false, error: 'no_secret' };
    const secret = randomToken(32);
    if (!(await updateClientSecretHash(clientId, sha256(secret), tx))) return { ok: false, error: 'not_found' };
    await recordAuditEvent(
      { type: 'client.secret_rotated', outcome: 'success', actorUserId: actor.userId ?? null, subject: clientId, context: auditContext(actor) },
      tx,
    );
    return { ok: true, secret };
  });
  clientsChanged();
  return result;
}

/** Deletes a client with its consents and grants; false when no client has this id. */
export async function deleteClient(clientId: string, actor: ClientActor = SYSTEM): Promise<boolean> {
  if (!isPlausibleId(clientId)) return false;
  const deleted = await db().$transaction(async (tx) => {
    const client = await findClientById(clientId, tx);
    if (!client || !(await deleteClientRow(clientId, tx))) return false;
    await recordAuditEvent(
      {
        type: 'client.deleted',
        outcome: 'success',
        actorUserId: actor.userId ?? null,
        subject: clientId,
        details: { name: client.name, type: client.type },
        context: auditContext(actor),
      },
      tx,
    );
    return true;
  });
  clientsChanged();
  return deleted;
}

/** Every client, oldest first. */
export async function listClients(): Promise<OAuthClientRecord[]> {
  return (await listClientRows()).map(toRecord);
}

/**
 * The client with this id, if it exists and is enabled; null otherwise. One primary-key query,
 * cached for a few seconds (see cache.ts). The record is frozen: copy before changing it.
 */
export async function findEnabledClient(clientId: string): Promise<OAuthClientRecord | null> {
  const loaded = await loadClient(clientId);
  return loaded?.record.enabled ? loaded.record : null;
}

/** The client with its secret hash, enabled or not, for client authentication only. */
export function loadClient(clientId: string): Promise<LoadedClient | null> {
  if (!isPlausibleId(clientId)) return Promise.resolve(null);
  return cachedClient(clientId, async (id) => {
    const row = await findClientWithSecret(id);
    return row ? { record: freezeRecord(toRecord(row)), secretHash: row.secretHash } : null;
  });
}

export function usesSecret(method: string): boolean {
  return (SECRET_AUTH_METHODS as readonly string[]).includes(method);
}

function toRecord(row: ClientRow): OAuthClientRecord {
  return {
    id: row.id,
    name: row.name,
    type: row.type === 'public' ? 'public' : 'confidential',
    tokenEndpointAuthMethod: row.tokenEndpointAuthMethod as TokenEndpointAuthMethod,
    redirectUris: row.redirectUris ?? [],
    postLogoutRedirectUris: row.postLogoutRedirectUris ?? [],
    corsOrigins: row.corsOrigins ?? [],
    grantTypes: row.grantTypes ?? [],
    scopes: row.scopes ?? [],
    accessTokenTtl: row.accessTokenTtl,
    refreshTokenIdleTtl: row.refreshTokenIdleTtl,
    refreshTokenMaxTtl: row.refreshTokenMaxTtl,
    requirePkce: row.requirePkce,
    firstParty: row.firstParty,
    jwks: isJwks(row.jwks) ? row.jwks : null,
    enabled: row.enabled,
  };
}

function isJwks(value: unknown): value is { keys: unknown[] } {
  return typeof value === 'object' && value !== null && Array.isArray((value as { keys?: unknown }).keys);
}

/** The check the browser-side schema cannot make: each key must import as a public key of its size. */
function unusableKeyProblems(keys: PublicJwk[]): string[] {
  const problems: string[] = [];
  keys.forEach((jwk, index) => {
    try {
      const key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
      const details = key.asymmetricKeyDetails;
      if (jwk.kty === 'RSA' && (details?.modulusLength ?? 0) < RSA_MIN_MODULUS_BITS) {
        problems.push(`JWKS key ${index + 1} is an RSA key shorter than ${RSA_MIN_MODULUS_BITS} bits.`);
      }
    } catch {
      problems.push(`JWKS key ${index + 1} is not a valid public key.`);
    }
  });
  return problems;
}

function isPlausibleId(clientId: unknown): clientId is string {
  return typeof clientId === 'string' && clientId.length > 0 && clientId.length <= CLIENT_ID_MAX;
}

function auditContext(actor: ClientActor): AuditContext {
  return { ip: actor.ip, userAgent: actor.userAgent, requestId: actor.requestId };
}

function clientsChanged(): void {
  invalidateClientCache();
  forgetRegisteredCorsOrigins();
}
