import 'server-only';
import type { JWTPayload } from 'jose';
import { getConfig } from '../../config';
import { InvalidRequest } from '../errors';
import { DEFAULT_SIGNING_ALG, type SigningAlg } from '../keys/algorithms';
import { activeSigningKey } from '../keys/signing-keys';
import { clampTokenTtl, ID_TOKEN_TTL_SECONDS } from './lifetimes';
import { epochSeconds, InvalidJws, leftHalfHash, signJwt, verifyJws } from './jws';

export interface IdTokenInput {
  clientId: string;
  userId: string;
  /** The IdP session the user signed in with (the `sid` claim), when known. */
  sessionId: string | null;
  authTime: Date;
  nonce?: string | null;
  amr?: string[];
  acr?: string | null;
  /** The access token issued with this ID token: yields `at_hash`. */
  accessToken?: string;
  /** The authorization code returned with this ID token: yields `c_hash`. */
  code?: string;
  /** Standard claims the caller decided to release (e.g. name, email when no access token is issued). */
  claims?: Record<string, unknown>;
  ttlSeconds?: number;
  /** The client's id_token_signed_response_alg; RS256 by default. */
  alg?: SigningAlg;
}

/** Claims this module sets itself: a caller's `claims` can never supply or override them. */
const PROTOCOL_CLAIMS = new Set([
  'iss', 'sub', 'aud', 'azp', 'exp', 'iat', 'nbf', 'jti', 'auth_time', 'nonce', 'at_hash', 'c_hash', 'acr', 'amr', 'sid', 'cnf',
  'client_id', 'scope', 'gid',
]);

/** Signs an OIDC ID token (OIDC Core §2, §3.1.3.6) with the active key of `input.alg`. */
export async function issueIdToken(input: IdTokenInput, now = new Date()): Promise<string> {
  const { issuer } = getConfig();
  const alg = input.alg ?? DEFAULT_SIGNING_ALG;
  const { kid, privateKey } = await activeSigningKey(alg);
  const iat = epochSeconds(now);
  const payload: JWTPayload = {};
  for (const [name, value] of Object.entries(input.claims ?? {})) {
    if (!PROTOCOL_CLAIMS.has(name) && value !== undefined) payload[name] = value;
  }
  Object.assign(payload, {
    iss: issuer,
    sub: input.userId,
    aud: input.clientId,
    exp: iat + clampTokenTtl(input.ttlSeconds ?? ID_TOKEN_TTL_SECONDS),
    iat,
    auth_time: epochSeconds(input.authTime),
  });
  if (input.nonce) payload.nonce = input.nonce;
  if (input.accessToken) payload.at_hash = leftHalfHash(input.accessToken, alg);
  if (input.code) payload.c_hash = leftHalfHash(input.code, alg);
  if (input.acr) payload.acr = input.acr;
  if (input.amr && input.amr.length > 0) payload.amr = input.amr;
  if (input.sessionId) payload.sid = input.sessionId;
  return signJwt({ alg, typ: 'JWT', kid }, payload, privateKey);
}

export interface IdTokenHint {
  sub: string;
  aud: string[];
  sid?: string;
  claims: JWTPayload;
}

/**
 * Checks an `id_token_hint` (authorization and logout endpoints): an ID token Optare signed with
 * a published key, for this issuer. It may have expired (OIDC Core §3.1.2.1 and RP-Initiated
 * Logout §2 allow that); nothing else may be wrong. An access token (typ at+jwt) is refused.
 * Throws InvalidRequest.
 */
export async function verifyIdTokenHint(token: string): Promise<IdTokenHint> {
  const invalid = (cause?: unknown) => new InvalidRequest('The id_token_hint is not a valid ID token from this server.', cause);
  let verified;
  try {
    verified = await verifyJws(token);
  } catch (error) {
    if (error instanceof InvalidJws) throw invalid(error);
    throw error;
  }
  const { header, payload } = verified;
  if (header.typ !== undefined && (typeof header.typ !== 'string' || header.typ.toLowerCase() !== 'jwt')) throw invalid('wrong typ');
  if (payload.iss !== getConfig().issuer) throw invalid('wrong iss');
  if (typeof payload.sub !== 'string' || payload.sub === '') throw invalid('no sub');
  const aud = typeof payload.aud === 'string' ? [payload.aud] : payload.aud;
  if (!Array.isArray(aud) || aud.length === 0 || !aud.every((value) => typeof value === 'string' && value !== '')) {
    throw invalid('no aud');
  }
  if (typeof payload.exp !== 'number' || typeof payload.iat !== 'number') throw invalid('no exp or iat');
  const sid = typeof payload.sid === 'string' && payload.sid !== '' ? payload.sid : undefined;
  return { sub: payload.sub, aud: aud as string[], ...(sid ? { sid } : {}), claims: payload as JWTPayload };
}
