import 'server-only';
import { getConfig } from '../../config';
import { randomToken } from '../../crypto/random';
import { InvalidToken } from '../errors';
import { audienceOf } from '../resources';
import { formatScope } from '../scopes';
import { DEFAULT_SIGNING_ALG, type SigningAlg } from '../keys/algorithms';
import { activeSigningKey } from '../keys/signing-keys';
import { clampTokenTtl } from './lifetimes';
import { epochSeconds, InvalidJws, signJwt, verifyJws } from './jws';

/** RFC 9068 §2.1: the media type of JWT access tokens, in the `typ` header. */
export const ACCESS_TOKEN_TYP = 'at+jwt';

export interface AccessTokenInput {
  clientId: string;
  /** The user's id, or the client id for client_credentials (RFC 9068 §2.2). */
  subject: string;
  scopes: string[];
  ttlSeconds: number;
  /** The grant the token belongs to: revoking the grant revokes every token carrying it. */
  grantId?: string | null;
  authTime?: Date | null;
  amr?: string[];
  acr?: string | null;
  /** The client's access_token_signed_response_alg; RS256 by default. */
  alg?: SigningAlg;
  /**
   * The resource(s) the token is for (RFC 8707); Optare itself (the issuer, userinfo's audience)
   * when omitted or empty. One becomes a string `aud`, several an array.
   */
  audience?: string | readonly string[];
}

export interface AccessTokenClaims {
  iss: string;
  sub: string;
  /** The issuer (userinfo), or the RFC 8707 resource(s) the token was requested for. */
  aud: string | string[];
  client_id: string;
  /** Space-delimited; empty when the token carries no scope. */
  scope: string;
  jti: string;
  iat: number;
  exp: number;
  auth_time?: number;
  acr?: string;
  amr?: string[];
  /** Optare's grant id (private claim). */
  gid?: string;
}

/** Signs an RFC 9068 access token with the active key of `input.alg` (from memory: no query per token). */
export async function issueAccessToken(
  input: AccessTokenInput,
  now = new Date(),
): Promise<{ token: string; jti: string; expiresAt: Date }> {
  const { issuer } = getConfig();
  const alg = input.alg ?? DEFAULT_SIGNING_ALG;
  const { kid, privateKey } = await activeSigningKey(alg);
  const iat = epochSeconds(now);
  const exp = iat + clampTokenTtl(input.ttlSeconds);
  const jti = randomToken(16);
  const claims: AccessTokenClaims = {
    iss: issuer,
    sub: input.subject,
    aud: audienceOf(typeof input.audience === 'string' ? [input.audience] : (input.audience ?? []), issuer),
    client_id: input.clientId,
    scope: formatScope(input.scopes),
    jti,
    iat,
    exp,
  };
  if (!claims.scope) delete (claims as Partial<AccessTokenClaims>).scope;
  if (input.authTime) claims.auth_time = epochSeconds(input.authTime);
  if (input.acr) claims.acr = input.acr;
  if (input.amr && input.amr.length > 0) claims.amr = input.amr;
  if (input.grantId) claims.gid = input.grantId;
  const token = await signJwt({ alg, typ: ACCESS_TOKEN_TYP, kid }, claims, privateKey);
  return { token, jti, expiresAt: new Date(exp * 1000) };
}

/**
 * Verifies one of Optare's access tokens: a signature by a published key with exactly that key's
 * alg (verifyJws), `typ: at+jwt`, this issuer, every RFC 9068 claim present and well typed, not
 * expired at `now` (`exp` is the first second it is not valid) and, should it carry one, not
 * before its `nbf`. Throws InvalidToken for anything wrong. Revocation is the caller's check.
 */
export async function verifyAccessToken(token: string, now = new Date()): Promise<AccessTokenClaims> {
  const invalid = (cause: unknown) => new InvalidToken('The access token is invalid or expired.', cause);
  let verified;
  try {
    verified = await verifyJws(token);
  } catch (error) {
    if (error instanceof InvalidJws) throw invalid(error);
    throw error;
  }
  const { header, payload } = verified;
  if (header.typ !== ACCESS_TOKEN_TYP) throw invalid('not typ at+jwt');
  const claims = accessTokenClaims(payload);
  const nowSeconds = epochSeconds(now);
  if (claims.iss !== getConfig().issuer) throw invalid('another issuer');
  if (claims.exp <= nowSeconds) throw invalid('expired');
  if (payload.nbf !== undefined && !(typeof payload.nbf === 'number' && payload.nbf <= nowSeconds)) throw invalid('not yet valid');
  return claims;
}

function accessTokenClaims(payload: Record<string, unknown>): AccessTokenClaims {
  const { iss, sub, aud, client_id, scope, jti, iat, exp, auth_time, acr, amr, gid } = payload;
  const isString = (value: unknown): value is string => typeof value === 'string' && value !== '';
  const ok =
    isString(iss) &&
    isString(sub) &&
    (isString(aud) || (Array.isArray(aud) && aud.length > 0 && aud.every(isString))) &&
    isString(client_id) &&
    isString(jti) &&
    (scope === undefined || typeof scope === 'string') &&
    typeof iat === 'number' &&
    typeof exp === 'number' &&
    (auth_time === undefined || typeof auth_time === 'number') &&
    (acr === undefined || isString(acr)) &&
    (amr === undefined || (Array.isArray(amr) && amr.every(isString))) &&
    (gid === undefined || isString(gid));
  if (!ok) throw new InvalidToken('The access token is malformed.');
  return {
    iss,
    sub,
    aud: aud as string | string[],
    client_id,
    scope: scope ?? '',
    jti,
    iat,
    exp,
    ...(auth_time !== undefined ? { auth_time } : {}),
    ...(acr !== undefined ? { acr } : {}),
    ...(amr !== undefined ? { amr: amr as string[] } : {}),
    ...(gid !== undefined ? { gid } : {}),
  };
}
