import 'server-only';
import { sha256 } from '../crypto/hash';
import { randomToken } from '../crypto/random';
import { findApiKeyByHash, touchApiKey, type ApiKeyRow } from '../db/api-keys';

/**
 * Admin API keys: `opk_<prefix>_<secret>`, 8 random hex characters people can read to tell
 * keys apart, then 256 random bits. Only the SHA-256 of the whole key is stored (a 256-bit
 * random value needs no slow hash: there is nothing to guess).
 */
export const API_KEY_SCOPES = [
  'clients:read',
  'clients:write',
  'users:read',
  'users:write',
  'audit:read',
  'api_keys:read',
  'api_keys:write',
] as const;

export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export const API_KEY_SCOPE_DESCRIPTIONS: Record<ApiKeyScope, string> = {
  'clients:read': 'List and read OAuth clients',
  'clients:write': 'Create, change, rotate the secret of, disable and delete OAuth clients',
  'users:read': 'Search and read users, their sessions and factors',
  'users:write': 'Disable, enable, sign out, reset MFA, grant or revoke the admin role',
  'audit:read': 'Read and export audit events',
  'api_keys:read': 'List API keys (never their secrets)',
  'api_keys:write': 'Create, rotate and revoke API keys',
};

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
  | { ok: false; error: 'missing' | 'malformed' | 'unknown' | 'expired' | 'revoked' | 'rotated' };

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
  await touchApiKey(row.id, ip, now);
  return { ok: true, key: row };
}
