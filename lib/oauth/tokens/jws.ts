import 'server-only';
import { createHash, sign, type KeyObject } from 'node:crypto';
import { errors, type JWSHeaderParameters } from 'jose';
import { verificationKey } from '../keys/signing-keys';

/** Tokens longer than this are refused before any parsing (ours are well under 2 kB). */
export const MAX_TOKEN_LENGTH = 8_192;

/** The protected header of Optare's tokens (RS256 only: SIGNING_ALG in keys/signing-keys.ts). */
export interface RS256Header {
  alg: 'RS256';
  typ: 'JWT' | 'at+jwt';
  kid: string;
}

/**
 * A compact JWS (RFC 7515 §7.1) of a JSON payload, RS256 (RSASSA-PKCS1-v1_5 with SHA-256,
 * RFC 7518 §3.3). node:crypto signs on libuv's thread pool when given a callback, so the event
 * loop only encodes; jose's SignJWT goes through WebCrypto and costs more per token
 * (docs/decisions.md, "Signing tokens"). Verification stays with jose.
 */
export function signJwt(header: RS256Header, payload: object, privateKey: KeyObject): Promise<string> {
  const signingInput = `${base64urlJson(header)}.${base64urlJson(payload)}`;
  return new Promise((resolve, reject) => {
    sign('sha256', Buffer.from(signingInput), privateKey, (error, signature) => {
      if (error) reject(error);
      else resolve(`${signingInput}.${signature.toString('base64url')}`);
    });
  });
}

const base64urlJson = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** jose's key resolver for Optare's own tokens: the published key named by the header's kid. */
export async function publishedKeyFor(header: JWSHeaderParameters) {
  if (typeof header.kid !== 'string' || header.kid === '') throw new errors.JWKSNoMatchingKey('the token has no kid');
  const key = await verificationKey(header.kid);
  if (!key) throw new errors.JWKSNoMatchingKey('no published key has this kid');
  return key;
}

/**
 * OIDC Core §3.1.3.6 at_hash / §3.3.2.11 c_hash for RS256: the left-most half of the SHA-256
 * of the ASCII value, base64url-encoded.
 */
export function leftHalfHash(value: string): string {
  return createHash('sha256').update(value, 'ascii').digest().subarray(0, 16).toString('base64url');
}

export const epochSeconds = (date: Date): number => Math.floor(date.getTime() / 1000);

/** True for what jose throws about a token (format, signature, claims, key lookup). */
export function isJoseError(error: unknown): boolean {
  return error instanceof errors.JOSEError;
}
