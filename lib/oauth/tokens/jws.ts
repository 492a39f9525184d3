import 'server-only';
import { constants, createHash, sign, verify, type KeyObject, type SigningOptions } from 'node:crypto';
import { DEFAULT_SIGNING_ALG, isSigningAlg, type SigningAlg } from '../keys/algorithms';
import { verificationKey } from '../keys/signing-keys';

/** Tokens longer than this are refused before any parsing (ours are well under 2 kB). */
const MAX_TOKEN_LENGTH = 8_192;

/** The protected header of Optare's tokens. */
export interface TokenHeader {
  alg: SigningAlg;
  typ: 'JWT' | 'at+jwt';
  kid: string;
}

/** node:crypto's sign() and verify() parameters per JWS alg (RFC 7518 §3.3-3.5, RFC 8037 §3.1). */
const SIGNATURE_PARAMETERS: Record<SigningAlg, { digest: string | null; options: SigningOptions }> = {
  RS256: { digest: 'sha256', options: {} },
  // RFC 7518 §3.5: MGF1 with SHA-256 and a salt as long as the hash (32 bytes), also when verifying.
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
 */
export function signJwt(header: TokenHeader, payload: object, privateKey: KeyObject): Promise<string> {
  const signingInput = `${base64urlJson(header)}.${base64urlJson(payload)}`;
  const { digest, options } = SIGNATURE_PARAMETERS[header.alg];
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

/** Why verifyJws refused a token; each caller answers with its endpoint's error. */
export class InvalidJws extends Error {}

/** The protected header of a verified token: the alg and kid it was checked with, and the rest as sent. */
export type VerifiedHeader = Record<string, unknown> & { alg: SigningAlg; kid: string };

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Verifies a compact JWS signed by one of `lookup`'s keys (RFC 7515 §5.2; Optare's own tokens,
 * with the published keys by default) and returns its protected header and its payload, which
 * must be a JSON object. Claims are the caller's to check.
 *
 * - Exactly three parts, each canonical base64url (Buffer's decoder would skip characters outside
 *   the alphabet, so one token could be written several ways), at most MAX_TOKEN_LENGTH in all.
 * - The header's kid names a key of `lookup`, and its alg is exactly that key's alg: an RSA key of
 *   RS256 never checks a PS256 signature or the reverse, and `none` or an HMAC alg is never a
 *   key's alg, so there is no algorithm confusion.
 * - `crit` is refused: Optare issues no extension a verifier must understand (RFC 7515 §4.1.11).
 *
 * The signature is checked with node:crypto on the calling thread, about 30 µs for RS256 with a
 * 2048-bit key; jose's jwtVerify goes through WebCrypto and cost about 125 µs of CPU per token
 * (docs/decisions.md, "Verifying Optare's own tokens with node:crypto").
 */
export async function verifyJws(
  token: string,
  lookup: VerificationKeyLookup = verificationKey,
): Promise<{ header: VerifiedHeader; payload: Record<string, unknown> }> {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) throw new InvalidJws('not a token of a possible length');
  const parts = token.split('.');
  if (parts.length !== 3) throw new InvalidJws('not three parts');
  const [encodedHeader, encodedPayload, encodedSignature] = parts as [string, string, string];
  const header = jsonObject(base64urlBytes(encodedHeader), 'header');
  const { alg, kid } = header;
  if (!isSigningAlg(alg)) throw new InvalidJws('an alg Optare does not sign with');
  if (typeof kid !== 'string' || kid === '') throw new InvalidJws('no kid');
  if ('crit' in header) throw new InvalidJws('a crit header');
  const found = await lookup(kid);
  if (!found) throw new InvalidJws('no published key has this kid');
  if (found.alg !== alg) throw new InvalidJws('the alg is not the alg of the key named by the kid');
  const { digest, options } = SIGNATURE_PARAMETERS[alg];
  const signingInput = Buffer.from(`${encodedHeader}.${encodedPayload}`, 'ascii');
  let valid: boolean;
  try {
    valid = verify(digest, signingInput, { key: found.key, ...options }, base64urlBytes(encodedSignature));
  } catch {
    valid = false; // a signature node cannot even parse (an ES256 one of the wrong length)
  }
  if (!valid) throw new InvalidJws('the signature does not verify');
  return { header: header as VerifiedHeader, payload: jsonObject(base64urlBytes(encodedPayload), 'payload') };
}

function base64urlBytes(segment: string): Buffer {
  const bytes = Buffer.from(segment, 'base64url');
  if (segment === '' || bytes.toString('base64url') !== segment) throw new InvalidJws('a part is not canonical base64url');
  return bytes;
}

function jsonObject(bytes: Buffer, part: 'header' | 'payload'): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(STRICT_UTF8.decode(bytes));
  } catch {
    throw new InvalidJws(`the ${part} is not UTF-8 JSON`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new InvalidJws(`the ${part} is not a JSON object`);
  return value as Record<string, unknown>;
}

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
