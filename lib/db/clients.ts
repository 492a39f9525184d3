import 'server-only';
import { db } from './client';
import { Prisma } from './generated/client';
import type { DbClient } from './users';
import type { Bytes } from '../crypto/hash';

/** The oauth_clients table. Queries only: the rules live in lib/oauth/clients. */

export interface NewClientRow {
  id: string;
  name: string;
  type: string;
  tokenEndpointAuthMethod: string;
  secretHash: Bytes | null;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  corsOrigins: string[];
  resources: string[];
  grantTypes: string[];
  scopes: string[];
  accessTokenTtl: number;
  refreshTokenIdleTtl: number;
  refreshTokenMaxTtl: number;
  requirePkce: boolean;
  firstParty: boolean;
  /** A JWK Set of public keys. */
  jwks: { keys: Record<string, unknown>[] } | null;
  /** The JWS alg of the client's ID tokens and access tokens (RS256, PS256, ES256, EdDSA); null: the instance default. */
  idTokenSignedResponseAlg: string | null;
  accessTokenSignedResponseAlg: string | null;
  enabled: boolean;
}

const clientFields = {
  id: true,
  name: true,
  type: true,
  tokenEndpointAuthMethod: true,
  redirectUris: true,
  postLogoutRedirectUris: true,
  corsOrigins: true,
  resources: true,
  grantTypes: true,
  scopes: true,
  accessTokenTtl: true,
  refreshTokenIdleTtl: true,
  refreshTokenMaxTtl: true,
  requirePkce: true,
  firstParty: true,
  jwks: true,
  idTokenSignedResponseAlg: true,
  accessTokenSignedResponseAlg: true,
  enabled: true,
  createdAt: true,
} as const;

export type ClientRow = Prisma.OAuthClientGetPayload<{ select: typeof clientFields }>;
/** A client with the hashes of its secret and, during a rotation's overlap, of the previous one. */
export type ClientRowWithSecret = ClientRow & {
  secretHash: Bytes | null;
  previousSecretHash: Bytes | null;
  previousSecretExpiresAt: Date | null;
};
/**
 * A client as the admin plane shows it: whether it has a secret and until when the previous one
 * is accepted, never the hashes themselves.
 */
export type ClientAdminRow = ClientRow & { updatedAt: Date; hasSecret: boolean; previousSecretExpiresAt: Date | null };

/** The settings an administrator changes (everything but the id, the secrets and `enabled`). */
export type ClientSettingsRow = Omit<NewClientRow, 'id' | 'secretHash' | 'enabled'>;

/** What happens to a client's secret along with a settings change. */
export type SecretChange =
  | { kind: 'keep' }
  /** The client stops using a secret (public, private_key_jwt): both hashes go. */
  | { kind: 'clear' }
  /** The client starts using a secret: this one, with no previous one. */
  | { kind: 'set'; secretHash: Bytes };

export async function insertClient(client: NewClientRow, tx: DbClient = db()): Promise<ClientRow> {
  return tx.oAuthClient.create({
    data: { ...client, jwks: client.jwks === null ? Prisma.DbNull : (client.jwks as Prisma.InputJsonValue) },
    select: clientFields,
  });
}

/** One primary-key lookup, with the secret hashes (for client authentication only). */
export async function findClientWithSecret(id: string): Promise<ClientRowWithSecret | null> {
  const row = await db().oAuthClient.findUnique({
    where: { id },
    select: { ...clientFields, secretHash: true, previousSecretHash: true, previousSecretExpiresAt: true },
  });
  return row as ClientRowWithSecret | null;
}

const adminFields = { ...clientFields, updatedAt: true, secretHash: true, previousSecretExpiresAt: true } as const;

function adminRow({ secretHash, ...row }: Prisma.OAuthClientGetPayload<{ select: typeof adminFields }>): ClientAdminRow {
  return { ...row, hasSecret: secretHash !== null };
}

export async function findClientAdminRow(id: string, tx: DbClient = db()): Promise<ClientAdminRow | null> {
  const row = await tx.oAuthClient.findUnique({ where: { id }, select: adminFields });
  return row ? adminRow(row) : null;
}

/** Where a page of clients starts: after this (createdAt, id) in newest-first order. */
export interface ClientPosition {
  createdAt: Date;
  id: string;
}

/**
 * A page of clients, newest first, whose name or id contains `search` (case-insensitive), after
 * `after`. Reads `take + 1` rows so the caller knows whether another page follows.
 */
export async function searchClientRows(options: { search: string | null; after: ClientPosition | null; take: number }): Promise<ClientAdminRow[]> {
  const { after, take } = options;
  // Prisma passes `contains` to ILIKE as is: escape its wildcards so the text is matched literally.
  const search = options.search?.replace(/[\\%_]/g, '\\$&') ?? null;
  const where: Prisma.OAuthClientWhereInput = {
    AND: [
      search
        ? { OR: [{ name: { contains: search, mode: 'insensitive' } }, { id: { contains: search, mode: 'insensitive' } }] }
        : {},
      after
        ? { OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }] }
        : {},
    ],
  };
  const rows = await db().oAuthClient.findMany({
    where,
    select: adminFields,
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: take + 1,
  });
  return rows.map(adminRow);
}

/** Replaces a client's settings (and its secret as `secret` says); false when no client has this id. */
export async function updateClientSettings(id: string, settings: ClientSettingsRow, secret: SecretChange, tx: DbClient = db()): Promise<boolean> {
  const secrets =
    secret.kind === 'keep'
      ? {}
      : { secretHash: secret.kind === 'set' ? secret.secretHash : null, previousSecretHash: null, previousSecretExpiresAt: null };
  const { count } = await tx.oAuthClient.updateMany({
    where: { id },
    data: { ...settings, jwks: settings.jwks === null ? Prisma.DbNull : (settings.jwks as Prisma.InputJsonValue), ...secrets },
  });
  return count === 1;
}

export async function setClientEnabledRow(id: string, enabled: boolean, tx: DbClient = db()): Promise<boolean> {
  const { count } = await tx.oAuthClient.updateMany({ where: { id }, data: { enabled } });
  return count === 1;
}

export function findClientById(id: string, tx: DbClient = db()): Promise<ClientRow | null> {
  return tx.oAuthClient.findUnique({ where: { id }, select: clientFields });
}

/**
 * The client's row, locked until the transaction `tx` ends (SELECT … FOR UPDATE), so that a
 * change computed from it cannot be overwritten by one computed from the same old state.
 */
export async function findClientForUpdate(id: string, tx: DbClient): Promise<ClientRowWithSecret | null> {
  const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM oauth_clients WHERE id = ${id} FOR UPDATE`;
  if (locked.length === 0) return null;
  const row = await tx.oAuthClient.findUnique({
    where: { id },
    select: { ...clientFields, secretHash: true, previousSecretHash: true, previousSecretExpiresAt: true },
  });
  return row as ClientRowWithSecret | null;
}

export function listClientRows(): Promise<ClientRow[]> {
  return db().oAuthClient.findMany({ select: clientFields, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
}

/**
 * Replaces the secret hash in one statement. With `previousExpiresAt`, the current hash becomes
 * the previous one, accepted until then (whatever previous hash there was is dropped); without,
 * there is no previous secret any more. False when no client has this id.
 */
export async function replaceClientSecretHash(
  id: string,
  secretHash: Bytes,
  previousExpiresAt: Date | null,
  tx: DbClient = db(),
): Promise<boolean> {
  const count = await tx.$executeRaw`
    UPDATE oauth_clients
       SET previous_secret_hash = CASE WHEN ${previousExpiresAt}::timestamptz IS NULL THEN NULL ELSE secret_hash END,
           previous_secret_expires_at = CASE WHEN secret_hash IS NULL THEN NULL ELSE ${previousExpiresAt}::timestamptz END,
           secret_hash = ${secretHash},
           updated_at = now()
     WHERE id = ${id}`;
  return count === 1;
}

/** Deletes a client (its consents and grants go with it: ON DELETE CASCADE); false when none had this id. */
export async function deleteClientRow(id: string, tx: DbClient = db()): Promise<boolean> {
  const { count } = await tx.oAuthClient.deleteMany({ where: { id } });
  return count === 1;
}

/** Every CORS origin registered on an enabled client, deduplicated: one query. */
export async function listEnabledCorsOrigins(): Promise<string[]> {
  const rows = await db().$queryRaw<{ origin: string }[]>`
    SELECT DISTINCT unnest(cors_origins) AS origin FROM oauth_clients WHERE enabled`;
  return rows.map((row) => row.origin);
}

/** The token signing algorithms some enabled client has chosen (their keys are made at start); not the instance default. */
export async function listSigningAlgsOfEnabledClients(): Promise<string[]> {
  const rows = await db().$queryRaw<{ alg: string }[]>`
    SELECT id_token_signed_response_alg AS alg FROM oauth_clients WHERE enabled AND id_token_signed_response_alg IS NOT NULL
    UNION
    SELECT access_token_signed_response_alg FROM oauth_clients WHERE enabled AND access_token_signed_response_alg IS NOT NULL`;
  return rows.map((row) => row.alg);
}
