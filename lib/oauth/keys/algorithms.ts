/**
 * The JWS algorithms Optare signs tokens with (RFC 7518 §3, RFC 8037 §3.1). Pure data: the client
 * settings schema, which also runs in the browser, imports it.
 *
 * RS256 is the default everywhere: OpenID Connect requires every RP to support it (OIDC Core §15.1).
 * The others are chosen per client (`id_token_signed_response_alg`, `access_token_signed_response_alg`).
 */
export const SIGNING_ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA'] as const;
export type SigningAlg = (typeof SIGNING_ALGORITHMS)[number];

export const DEFAULT_SIGNING_ALG: SigningAlg = 'RS256';

export function isSigningAlg(value: unknown): value is SigningAlg {
  return typeof value === 'string' && (SIGNING_ALGORITHMS as readonly string[]).includes(value);
}

/** What each algorithm is, in a few words (the console's form and keys page). */
export const SIGNING_ALG_LABELS: Record<SigningAlg, string> = {
  RS256: 'RS256 — RSA PKCS#1 v1.5 with SHA-256 (every OIDC library; the default)',
  PS256: 'PS256 — RSA-PSS with SHA-256',
  ES256: 'ES256 — ECDSA P-256 with SHA-256',
  EdDSA: 'EdDSA — Ed25519',
};

/** The RSA modulus sizes OPTARE_SIGNING_KEY_RSA_BITS accepts. */
export const RSA_SIGNING_KEY_BITS = [2048, 3072, 4096] as const;
export type RsaSigningKeyBits = (typeof RSA_SIGNING_KEY_BITS)[number];
