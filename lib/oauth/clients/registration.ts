import 'server-only';
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { db } from '../../db/client';
import {
  deleteClientRow,
  findClientById,
  findClientForUpdate,
  findClientWithSecret,
  insertClient,
  listClientRows,
  replaceClientSecretHash,
  setClientEnabledRow,
  updateClientSettings,
  type ClientRow,
  type ClientSettingsRow,
  type SecretChange,
} from '../../db/clients';
import { recordAuditEvent } from '../../audit/record';
import { type AuditContext, type AuditEventInput, type AuditFieldChange } from '../../audit/events';
import { auditActor, type AdminActor } from '../../admin/actor';
import { fieldChanges } from '../../admin/changes';
import { sha256 } from '../../crypto/hash';
import { randomToken } from '../../crypto/random';
import { fieldErrorsOf, type FieldErrors } from '../../validation/account';
import { forgetRegisteredCorsOrigins } from '../cors';
import { isSigningAlg, type SigningAlg } from '../keys/algorithms';
import { jwkThumbprint } from '../keys/thumbprint';
import { cachedClient, freezeRecord, invalidateClientCache, type LoadedClient } from './cache';
import { clientSettingsSchema, RSA_MIN_MODULUS_BITS, type ClientSettings, type PublicJwk } from './settings-schema';
import { SECRET_AUTH_METHODS, type OAuthClientRecord, type TokenEndpointAuthMethod } from './types';
import { pkceOffRefusal } from './pkce-policy';

export { clientSettingsSchema } from './settings-schema';

/**
 * Who makes a change: an administrator or admin API key (AdminActor), or the CLI and tests with
 * just an audit context (and the user it acts for, if any).
 */
export type ClientActor = AdminActor | (AuditContext & { userId?: string | null });

const SYSTEM: ClientActor = { ip: null, userAgent: null, requestId: null };
/** The column is VARCHAR(64); longer ids cannot exist, so they are not looked up. */
const CLIENT_ID_MAX = 64;

export type CreateClientResult =
  | { ok: true; client: OAuthClientRecord; secret: string | null }
  | { ok: false; fieldErrors: FieldErrors };

/**
 * Registers a client from the CLI, the admin console or the admin API. The id is random (128 bits); a
 * confidential client using client_secret_basic or client_secret_post gets a random 256-bit
 * secret, returned here once and stored only as its SHA-256. The row and its audit event are
 * written in one transaction.
 */
export async function createClient(input: unknown, actor: ClientActor): Promise<CreateClientResult> {
  const validated = validateSettings(input);
  if (!validated.ok) return validated;
  const settings = validated.settings;

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
        ...actorOf(actor),
        subject: created.id,
        details: {
          name: created.name,
          type: created.type,
          authMethod: created.tokenEndpointAuthMethod,
          grantTypes: created.grantTypes,
          firstParty: created.firstParty,
        },
      },
      tx,
    );
    return created;
  });
  clientsChanged();
  return { ok: true, client: clientRecordOf(row), secret };
}

export type RotateClientSecretResult =
  | {
      ok: true;
      secret: string;
      /** Until when the previous secret is still accepted; null when it stopped working at once. */
      previousSecretExpiresAt: Date | null;
    }
  | { ok: false; error: 'not_found' | 'no_secret' };

/**
 * Gives a client a new secret, returned here once. With `overlapSeconds` > 0 the old secret keeps
 * authenticating for that long (so the client's deployments can switch without downtime; a
 * secret left over from an earlier rotation stops at once); with 0 (the default, and what the
 * CLI does) it stops working at once in this process and within CLIENT_CACHE_TTL_MS in others.
 * `no_secret`: the client is public or uses private_key_jwt.
 */
export async function rotateClientSecret(
  clientId: string,
  actor: ClientActor = SYSTEM,
  { overlapSeconds = 0 }: { overlapSeconds?: number } = {},
): Promise<RotateClientSecretResult> {
  if (!isPlausibleId(clientId)) return { ok: false, error: 'not_found' };
  const result = await db().$transaction(async (tx): Promise<RotateClientSecretResult> => {
    const client = await findClientById(clientId, tx);
    if (!client) return { ok: false, error: 'not_found' };
    if (!usesSecret(client.tokenEndpointAuthMethod)) return { ok: false, error: 'no_secret' };
    const secret = randomToken(32);
    const previousSecretExpiresAt = overlapSeconds > 0 ? new Date(Date.now() + overlapSeconds * 1000) : null;
    if (!(await replaceClientSecretHash(clientId, sha256(secret), previousSecretExpiresAt, tx))) return { ok: false, error: 'not_found' };
    await recordAuditEvent(
      {
        type: 'client.secret_rotated',
        outcome: 'success',
        ...actorOf(actor),
        subject: clientId,
        details: { name: client.name, overlapSeconds: previousSecretExpiresAt ? overlapSeconds : 0, overlapEndsAt: previousSecretExpiresAt?.toISOString() ?? null },
      },
      tx,
    );
    return { ok: true, secret, previousSecretExpiresAt };
  });
  clientsChanged();
  return result;
}

export type UpdateClientResult =
  | {
      ok: true;
      client: OAuthClientRecord;
      /** A new secret, shown once, when the change made the client start using one; else null. */
      secret: string | null;
      /** What changed (secrets as REDACTED); empty when the input changed nothing. */
      changes: AuditFieldChange[];
    }
  | { ok: false; error: 'not_found' }
  | { ok: false; fieldErrors: FieldErrors };

/**
 * Changes a client's settings. `input` holds the settings to change (all of them, or some: the
 * others keep their values), validated as a whole with the same schema as createClient. A new
 * type without an authentication method takes that type's default method, and a method other
 * than private_key_jwt drops the JWKS unless one is given. When the client starts using a secret
 * (public or private_key_jwt → client_secret_*) it gets a new one, returned once; when it stops,
 * its secrets are deleted. `enabled` is changed with setClientEnabled, not here. Audited as
 * `client.updated` with each changed field's before and after values.
 */
export async function updateClient(clientId: string, input: unknown, actor: ClientActor = SYSTEM): Promise<UpdateClientResult> {
  if (!isPlausibleId(clientId)) return { ok: false, error: 'not_found' };
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, fieldErrors: { form: ['Send the settings to change as a JSON object.'] } };
  }
  const patch = { ...(input as Record<string, unknown>) };
  const result = await db().$transaction(async (tx): Promise<UpdateClientResult> => {
    const row = await findClientForUpdate(clientId, tx);
    if (!row) return { ok: false, error: 'not_found' };
    const before = clientRecordOf(row);
    if ('enabled' in patch) {
      if (patch.enabled !== before.enabled) {
        return { ok: false, fieldErrors: { enabled: ['Disable or enable a client with its own action, not with a settings change.'] } };
      }
      delete patch.enabled;
    }
    const merged: Record<string, unknown> = { ...settingsOf(before), ...patch };
    if (patch.type !== undefined && patch.type !== before.type && !('tokenEndpointAuthMethod' in patch)) delete merged.tokenEndpointAuthMethod;
    if (!('jwks' in patch) && merged.tokenEndpointAuthMethod !== 'private_key_jwt') merged.jwks = null;

    const validated = validateSettings(merged);
    if (!validated.ok) return validated;
    const { enabled: _enabled, ...settings } = validated.settings;

    const hadSecret = usesSecret(before.tokenEndpointAuthMethod) && row.secretHash !== null;
    const needsSecret = usesSecret(settings.tokenEndpointAuthMethod);
    const secret = needsSecret && !hadSecret ? randomToken(32) : null;
    const secretChange: SecretChange =
      secret !== null ? { kind: 'set', secretHash: sha256(secret) } : !needsSecret && row.secretHash !== null ? { kind: 'clear' } : { kind: 'keep' };

    const changes = fieldChanges(
      { ...auditedSettings(settingsOf(before)), secret: row.secretHash !== null ? 'set' : null },
      { ...auditedSettings(settings), secret: secretChange.kind === 'keep' ? (row.secretHash !== null ? 'set' : null) : secretChange.kind },
      ['secret'],
    );
    if (changes.length === 0) return { ok: true, client: before, secret: null, changes };

    if (!(await updateClientSettings(clientId, settings satisfies ClientSettingsRow, secretChange, tx))) return { ok: false, error: 'not_found' };
    await recordAuditEvent(
      { type: 'client.updated', outcome: 'success', ...actorOf(actor), subject: clientId, details: { name: settings.name, changes } },
      tx,
    );
    return { ok: true, client: { ...before, ...settings }, secret, changes };
  });
  if (result.ok && result.changes.length > 0) clientsChanged();
  return result;
}

export type SetClientEnabledResult = { ok: true; client: OAuthClientRecord; changed: boolean } | { ok: false; error: 'not_found' };

/**
 * Disables or enables a client. A disabled client is refused at the authorization endpoint (no
 * new sign-ins) and at the token, revocation and introspection endpoints (invalid_client), and
 * the access tokens issued to it are treated as revoked; its grants are kept, so enabling it
 * again restores them. Deleting is the way to end them for good. Audited as `client.disabled`
 * or `client.enabled` when the state changes; `changed` is false when it already was so.
 */
export async function setClientEnabled(clientId: string, enabled: boolean, actor: ClientActor = SYSTEM): Promise<SetClientEnabledResult> {
  if (!isPlausibleId(clientId)) return { ok: false, error: 'not_found' };
  const result = await db().$transaction(async (tx): Promise<SetClientEnabledResult> => {
    const row = await findClientForUpdate(clientId, tx);
    if (!row) return { ok: false, error: 'not_found' };
    const client = clientRecordOf(row);
    if (client.enabled === enabled) return { ok: true, client, changed: false };
    if (!(await setClientEnabledRow(clientId, enabled, tx))) return { ok: false, error: 'not_found' };
    await recordAuditEvent(
      {
        type: enabled ? 'client.enabled' : 'client.disabled',
        outcome: 'success',
        ...actorOf(actor),
        subject: clientId,
        details: { name: client.name },
      },
      tx,
    );
    return { ok: true, client: { ...client, enabled }, changed: true };
  });
  if (result.ok && result.changed) clientsChanged();
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
        ...actorOf(actor),
        subject: clientId,
        details: { name: client.name, type: client.type },
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
  return (await listClientRows()).map(clientRecordOf);
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
    if (!row) return null;
    return {
      record: freezeRecord(clientRecordOf(row)),
      secretHash: row.secretHash,
      previousSecret:
        row.previousSecretHash && row.previousSecretExpiresAt ? { hash: row.previousSecretHash, expiresAt: row.previousSecretExpiresAt.getTime() } : null,
    };
  });
}

export function usesSecret(method: string): boolean {
  return (SECRET_AUTH_METHODS as readonly string[]).includes(method);
}

/** A stored client row as the rest of Optare sees it (the admin plane adds its own fields). */
export function clientRecordOf(row: ClientRow): OAuthClientRecord {
  return {
    id: row.id,
    name: row.name,
    type: row.type === 'public' ? 'public' : 'confidential',
    tokenEndpointAuthMethod: row.tokenEndpointAuthMethod as TokenEndpointAuthMethod,
    redirectUris: row.redirectUris ?? [],
    postLogoutRedirectUris: row.postLogoutRedirectUris ?? [],
    corsOrigins: row.corsOrigins ?? [],
    resources: row.resources ?? [],
    grantTypes: row.grantTypes ?? [],
    scopes: row.scopes ?? [],
    accessTokenTtl: row.accessTokenTtl,
    refreshTokenIdleTtl: row.refreshTokenIdleTtl,
    refreshTokenMaxTtl: row.refreshTokenMaxTtl,
    requirePkce: row.requirePkce,
    firstParty: row.firstParty,
    jwks: isJwks(row.jwks) ? row.jwks : null,
    idTokenSignedResponseAlg: signingAlgOf(row.idTokenSignedResponseAlg),
    accessTokenSignedResponseAlg: signingAlgOf(row.accessTokenSignedResponseAlg),
    enabled: row.enabled,
  };
}

/** A stored alg, or null: not chosen (the instance default). The schema only stores known ones; anything else counts as not chosen. */
function signingAlgOf(value: string | null): SigningAlg | null {
  return isSigningAlg(value) ? value : null;
}

function isJwks(value: unknown): value is { keys: unknown[] } {
  return typeof value === 'object' && value !== null && Array.isArray((value as { keys?: unknown }).keys);
}

/**
 * The settings, checked with clientSettingsSchema and with what it cannot check in the browser:
 * each JWK must import as a public key of its size. Every problem is reported at once, next to its field.
 */
function validateSettings(input: unknown): { ok: true; settings: ClientSettings } | { ok: false; fieldErrors: FieldErrors } {
  const parsed = clientSettingsSchema.safeParse(input);
  const problems: FieldErrors = parsed.success ? {} : fieldErrorsOf(parsed.error);
  const pkceRefusal = pkceOffRefusal(input);
  if (pkceRefusal) problems.requirePkce = [...(problems.requirePkce ?? []), pkceRefusal];
  if (parsed.success && parsed.data.jwks) {
    const keyProblems = unusableKeyProblems(parsed.data.jwks.keys);
    if (keyProblems.length > 0) problems.jwks = keyProblems;
  }
  return parsed.success && Object.keys(problems).length === 0 ? { ok: true, settings: parsed.data } : { ok: false, fieldErrors: problems };
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

/** The audit event's actor fields: the administrator or API key, or the CLI's context. */
function actorOf(actor: ClientActor): Pick<AuditEventInput, 'actorUserId' | 'actorApiKeyId' | 'context'> {
  if ('kind' in actor) return auditActor(actor);
  return { actorUserId: actor.userId ?? null, actorApiKeyId: null, context: { ip: actor.ip, userAgent: actor.userAgent, requestId: actor.requestId } };
}

/** A client's settings as createClient and updateClient take them. */
function settingsOf(client: OAuthClientRecord): Omit<ClientSettings, 'enabled'> {
  const { id: _id, enabled: _enabled, jwks, ...settings } = client;
  return { ...settings, jwks: (jwks as { keys: PublicJwk[] } | null) ?? null };
}

/**
 * Settings as the audit log records them. A JWKS becomes one line per key (its type and RFC 7638
 * thumbprint): the keys are public, but a whole key set does not fit an audit value.
 */
function auditedSettings(settings: Omit<ClientSettings, 'enabled'>): Record<string, unknown> {
  return { ...settings, jwks: settings.jwks ? settings.jwks.keys.map((key) => `${String(key.kty)} ${jwkThumbprint(key)}`) : null };
}

function clientsChanged(): void {
  invalidateClientCache();
  forgetRegisteredCorsOrigins();
}
