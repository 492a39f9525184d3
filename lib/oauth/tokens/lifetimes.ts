/**
 * Token lifetimes, in seconds. MAX_TOKEN_TTL_SECONDS is a promise the signing-key rotation relies
 * on: a retired key stays in the JWKS for this long, so no access or ID token may live longer
 * (issueAccessToken and issueIdToken clamp to it; per-client settings must stay below it).
 */
export const MAX_TOKEN_TTL_SECONDS = 86_400;
export const ID_TOKEN_TTL_SECONDS = 3_600;
export const DEFAULT_ACCESS_TOKEN_TTL_SECONDS = 3_600;
/** Authorization codes are single-use and live 60 seconds. */
export const AUTHORIZATION_CODE_TTL_SECONDS = 60;

/** A requested lifetime made whole and kept within 1 s .. MAX_TOKEN_TTL_SECONDS. */
export function clampTokenTtl(ttlSeconds: number): number {
  if (Number.isNaN(ttlSeconds)) throw new TypeError('a token lifetime must be a number of seconds');
  return Math.min(MAX_TOKEN_TTL_SECONDS, Math.max(1, Math.floor(ttlSeconds)));
}
