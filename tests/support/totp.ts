import { createHmac } from 'node:crypto';

/**
 * RFC 6238 TOTP written from the RFCs with node:crypto alone, so tests (integration and e2e)
 * compute codes independently of lib/auth/totp.ts and of otplib.
 */

const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
export const PERIOD_SECONDS = 30;

/** RFC 4648 base32 (any case, padding ignored) to bytes. */
export function base32Decode(text: string): Buffer {
  const clean = text.toUpperCase().replace(/=+$/, '');
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const char of clean) {
    const index = BASE32_ALPHABET.indexOf(char);
    if (index === -1) throw new Error(`not a base32 character: ${JSON.stringify(char)}`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((value >>> bits) & 0xff);
    }
  }
  return Buffer.from(out);
}

/** RFC 4226 HOTP: HMAC over the 8-byte big-endian counter, dynamic truncation, `digits` decimal digits. */
export function hotp(key: Uint8Array, counter: number | bigint, digits = 6, algorithm: 'sha1' | 'sha256' | 'sha512' = 'sha1'): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(algorithm, key).update(message).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** The RFC 6238 time step (T0 = 0) of a moment. */
export function totpStep(at: Date | number, period = PERIOD_SECONDS): number {
  const ms = typeof at === 'number' ? at : at.getTime();
  return Math.floor(ms / 1000 / period);
}

/** The 6-digit code of a base32 secret for a time step. */
export function totpForStep(secretBase32: string, step: number): string {
  return hotp(base32Decode(secretBase32), step);
}

/** The 6-digit code an authenticator app shows at `at`, or `offsetSteps` steps before/after it. */
export function totpAt(secretBase32: string, at: Date, offsetSteps = 0): string {
  return totpForStep(secretBase32, totpStep(at) + offsetSteps);
}
