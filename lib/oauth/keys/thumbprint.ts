import { createHash } from 'node:crypto';

/** The members of a public JWK that its RFC 7638 thumbprint covers; others are ignored. */
export interface ThumbprintMembers {
  kty: string;
  n?: unknown;
  e?: unknown;
  crv?: unknown;
  x?: unknown;
  y?: unknown;
}

/**
 * RFC 7638 §3: SHA-256 over the required members of the key's type (RSA: e, kty, n; EC: crv,
 * kty, x, y; OKP: crv, kty, x), in lexicographic order without whitespace (§3.2), base64url.
 * Optare's signing keys take their `kid` from it; clients' registered keys are audited by it.
 */
export function jwkThumbprint(jwk: ThumbprintMembers): string {
  const required =
    jwk.kty === 'RSA'
      ? { e: jwk.e, kty: jwk.kty, n: jwk.n }
      : jwk.kty === 'EC'
        ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }
        : { crv: jwk.crv, kty: jwk.kty, x: jwk.x };
  return createHash('sha256').update(JSON.stringify(required)).digest('base64url');
}
