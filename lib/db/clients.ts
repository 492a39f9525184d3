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
  grantTypes: string[];
  scopes: string[];
  accessTokenTtl: number;
  refreshTokenIdleTtl: number;
  refreshTokenMaxTtl: number;
  requirePkce: boolean;
  firstParty: boolean;
  /** A JWK Set of public keys. */
  jwks: { keys: Record<string, unknown>[] } | null;
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
  grantTypes: true,
  scopes: true,
  accessTokenTtl: true,
  refreshTokenIdleTtl: true,
  refreshTokenMaxTtl: true,
  requirePkce: true,
  firstParty: true,
  jwks: true,
  enabled: true,
  createdAt: true,
} as const;

export type ClientRow = Prisma.OAuthClientGetPayload<{ select: typeof clientFields }>;
export type ClientRowWithSecret = ClientRow & { secretHash: Bytes | null };

export async function insertClient(client: NewClientRow, tx: DbClient = db()): Promise<ClientRow> {
  return tx.oAuthClient.create({
    data: { ...client, jwks: client.jwks === null ? Prisma.DbNull : (client.jwks as Prisma.InputJsonValue) },
    select: clientFields,
  });
}

/** One primary-key lookup, with the secret hash (for client authentication only). */
export async function findClientWithSecret(id: string): Promise<ClientRowWithSecret | null> {
  const row = await db().oAuthClient.findUnique({ where: { id }, select: { ...clientFields, secretHash: true } });
  return row as ClientRowWithSecret | null;
}

export function findClientById(id: string, tx: DbClient = db()): Promise<ClientRow | null> {
  return tx.oAuthClient.findUnique({ where: { id }, select: clientFields });
}

export function listClientRows(): Promise<ClientRow[]> {
  return db().oAuthClient.findMany({ select: clientFields, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
}

/** Replaces the secret hash; false when no client has this id. */
export async function updateClientSecretHash(id: string, secretHash: Bytes, tx: DbClient = db()): Promise<boolean> {
  const { count } = await tx.oAuthClient.updateMany({ where: { id }, data: { secretHash } });
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
