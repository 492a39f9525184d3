import 'server-only';
import { findUserinfoSource, isAccessTokenDenied, type ClaimsUserRow } from '../db/grants';
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

/**
 * For userinfo, in one query: whether the token is revoked (as isAccessTokenRevoked decides), its
 * user's claim fields (null when the subject is no user, or not the user of the token's grant)
 * and the `claims` request parameter of its grant.
 */
export async function userinfoSourceOf(
  claims: Pick<AccessTokenClaims, 'jti' | 'gid' | 'client_id' | 'sub'>,
): Promise<{ revoked: boolean; user: ClaimsUserRow | null; grantClaims: unknown }> {
  const grantId = claims.gid ?? null;
  if (grantId !== null && !UUID.test(grantId)) return { revoked: true, user: null, grantClaims: null };
  const userId = UUID.test(claims.sub) ? claims.sub : null;
  const { denied, user, grantClaims } = await findUserinfoSource({ jti: claims.jti, clientId: claims.client_id, grantId }, userId);
  return { revoked: denied, user, grantClaims };
}

/** A valid access token's claims: signature, issuer, type and expiry, then revocation. Throws InvalidToken. */
export async function verifyActiveAccessToken(token: string, now = new Date()): Promise<AccessTokenClaims> {
  const claims = await verifyAccessToken(token, now);
  if (await isAccessTokenRevoked(claims)) throw new InvalidToken('The access token has been revoked.');
  return claims;
}
