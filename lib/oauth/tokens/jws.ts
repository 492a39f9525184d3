import 'server-only';
import { constants, createHash, sign, type KeyObject, type SigningOptions } from 'node:crypto';
import { errors, type JWSHeaderParameters } from 'jose';
import { DEFAULT_SIGNING_ALG, type SigningAlg } from '../keys/algorithms';
import { verificationKey } from '../keys/signing-keys';

/** Tokens longer than this are refused before any parsing (ours are well under 2 kB). */
export const MAX_TOKEN_LENGTH = 8_192;

/** The protected header of Optare's tokens. */
export interface TokenHeader {
  alg: SigningAlg;
  typ: 'JWT' | 'at+jwt';
  kid: string;
}

/** node:crypto's sign() parameters per JWS alg (RFC 7518 §3.3-3.5, RFC 8037 §3.1). */
const SIGN_PARAMETERS: Record<SigningAlg, { digest: string | null; options: SigningOptions }> = {
  RS256: { digest: 'sha256', options: {} },
  // RFC 7518 §3.5: MGF1 with SHA-256 and a salt as long as the hash (32 bytes).
  PS256: { digest: 'sha256', options: { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } },
  // JWS wants R || S (RFC 7518 §3.4), not node's default DER encoding.
  ES256: { digest: 'sha256', options: { dsaEncoding: 'ieee-p1363' } },
  // Ed25519 hashes internally: no digest.
  EdDSA: { digest: null, options: {} },
};

/**
 * A compact JWS (RFC 7515 §7.1) of a JSON payload, signed as `header.alg` says. node:crypto signs
 * on libuv's thread pool when given a callback, so the event loop only encodes; jose's SignJWT
 * goes through WebCrypto and costs more per token (docs/decisions.md, "Signing tokens").
 * Verification stays with jose.
 */
export function signJwt(header: TokenHeader, payload: object, privateKey: KeyObject): Promise<string> {
  const signingInput = `${base64urlJson(header)}.${base64urlJson(payload)}`;
  const { digest, options } = SIGN_PARAMETERS[header.alg];
  return new Promise((resolve, reject) => {
    sign(digest, Buffer.from(signingInput), { key: privateKey, ...options }, (error, signature) => {
      if (error) reject(error);
      else resolve(`${signingInput}.${signature.toString('base64url')}`);
    });
  });
}

const base64urlJson = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Finds the public key for a token's kid, and the one alg that key signs with. */
export type VerificationKeyLookup = (kid: string) => Promise<{ key: KeyObject; alg: SigningAlg } | null>;

/**
 * jose's key resolver for tokens signed by `lookup`'s keys: the key named by the header's kid,
 * and only if the header's alg is exactly that key's alg (an RSA key of RS256 is never used to
 * check a PS256 signature, or the reverse: no algorithm confusion). jose then also enforces the
 * caller's `algorithms` list, which never holds 'none' or an HMAC alg.
 */
export function keyResolver(lookup: VerificationKeyLookup) {
  return async (header: JWSHeaderParameters): Promise<KeyObject> => {
    if (typeof header.kid !== 'string' || header.kid === '') throw new errors.JWKSNoMatchingKey('the token has no kid');
    const found = await lookup(header.kid);
    if (!found) throw new errors.JWKSNoMatchingKey('no published key has this kid');
    if (header.alg !== found.alg) throw new errors.JWKSNoMatchingKey('the token\'s alg is not the alg of the key named by its kid');
    return found.key;
  };
}

/** jose's key resolver for Optare's own tokens: the published key named by the header's kid. */
export const publishedKeyFor = keyResolver(verificationKey);

/**
 * OIDC Core §3.1.3.6 at_hash / §3.3.2.11 c_hash: the left-most half of the hash of the ASCII
 * value, base64url-encoded. The hash is the one of the ID token's alg: SHA-256 for RS256, PS256
 * and ES256; SHA-512 for EdDSA with Ed25519 (the OpenID Foundation's convention, as in its
 * certification suite: Ed25519 signs with SHA-512).
 */
export function leftHalfHash(value: string, alg: SigningAlg = DEFAULT_SIGNING_ALG): string {
  const digest = createHash(alg === 'EdDSA' ? 'sha512' : 'sha256').update(value, 'ascii').digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

export const epochSeconds = (date: Date): number => Math.floor(date.getTime() / 1000);

/** True for what jose throws about a token (format, signature, claims, key lookup). */
export function isJoseError(error: unknown): boolean {
  return error instanceof errors.JOSEError;
}
