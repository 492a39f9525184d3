import { createHmac, hkdfSync } from 'node:crypto';

const INFO = 'optare audit pseudonym';

/**
 * The stable pseudonym of a deleted user in the audit log: HMAC-SHA-256 of the user id under a key
 * derived (HKDF) from the encryption key, shaped as a UUID (version 8, RFC 9562 §5.8) so it fits
 * the uuid columns. The same user always gets the same pseudonym under the same key; without the
 * key it cannot be linked back to the id.
 */
export function pseudonymOf(userId: string, encryptionKey: Uint8Array): string {
  const key = Buffer.from(hkdfSync('sha256', encryptionKey, Buffer.alloc(0), INFO, 32));
  const bytes = createHmac('sha256', key).update(userId.toLowerCase()).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
