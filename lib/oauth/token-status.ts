import 'server-only';
import { isAccessTokenDenied } from '../db/grants';
import { InvalidToken } from './errors';
import { verifyAccessToken, type AccessTokenClaims } from './tokens/access-token';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether a verified access token has been revoked, in one query: its jti is on the denylist
 * (RFC 7009 revocation of that token), its client was disabled or deleted, or the grant it
 * carries (`gid`) is revoked, gone, or its user disabled (code replay, refresh-token reuse,
 * revocation of the refresh token, …). client_credentials tokens have no grant.
 */
export async function isAccessTokenRevoked(claims: Pick<AccessTokenClaims, 'jti' | 'gid' | 'client_id'>): Promise<boolean> {
  const grantId = claims.gid ?? null;
  if (grantId !== null && !UUID.test(grantId)) return true;
  return isAccessTokenDenied(claims.jti, claims.client_id, grantId);
}

/** A valid access token's claims: signature, issuer, type and expiry, then revocation. Throws InvalidToken. */
export async function verifyActiveAccessToken(token: string, now = new Date()): Promise<AccessTokenClaims> {
  const claims = await verifyAccessToken(token, now);
  if (await isAccessTokenRevoked(claims)) throw new InvalidToken('The access token has been revoked.');
  return claims;
}
