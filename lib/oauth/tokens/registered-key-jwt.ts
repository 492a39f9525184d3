import 'server-only';
import { createLocalJWKSet, decodeJwt, jwtVerify, type JSONWebKeySet, type JWTPayload, type JWTVerifyGetKey, type JWTVerifyOptions } from 'jose';

/**
 * JWTs signed by someone else's registered keys (a client's JWKS, for private_key_jwt): decode
 * before the key is known, then verify against the registered set only. Keys embedded in or
 * referenced from the header are never used.
 */

export type { JWTPayload, JWTVerifyOptions };

/** The claims of a JWT, unverified: only to find out whose keys must then verify it. Throws on a malformed token. */
export function unverifiedClaims(jwt: string): JWTPayload {
  return decodeJwt(jwt);
}

/** A reusable verifier over one registered JWK Set. */
export function registeredKeySet(jwks: JSONWebKeySet): JWTVerifyGetKey {
  return createLocalJWKSet(jwks);
}

/** The payload of a JWT verified by a key of `keys` under `options`; throws jose's errors (with a `code`). */
export async function verifyWithRegisteredKeys(jwt: string, keys: JWTVerifyGetKey, options: JWTVerifyOptions): Promise<JWTPayload> {
  try {
    return (await jwtVerify(jwt, keys, options)).payload;
  } catch (error) {
    // Several registered keys fit the header (no kid): try each (jose leaves this to the caller).
    if ((error as { code?: string }).code !== 'ERR_JWKS_MULTIPLE_MATCHING_KEYS') throw error;
    let last: unknown = error;
    for await (const key of error as AsyncIterable<CryptoKey>) {
      try {
        return (await jwtVerify(jwt, key, options)).payload;
      } catch (attempt) {
        last = attempt;
      }
    }
    throw last;
  }
}
