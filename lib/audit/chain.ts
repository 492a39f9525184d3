import { sha256, type Bytes } from '../crypto/hash';

/** The hash before the first event (the migration seeds the chain head with it). */
export const GENESIS_HASH: Bytes = new Uint8Array(32);

/**
 * hash(seq) = SHA-256(prev_hash || seq as a signed 64-bit big-endian integer || content hash).
 * The same formula runs in SQL when an event is appended (lib/db/audit.ts); this one verifies.
 */
export function chainHash(prevHash: Uint8Array, seq: bigint, contentHash: Uint8Array): Bytes {
  const message = new Uint8Array(prevHash.length + 8 + contentHash.length);
  message.set(prevHash, 0);
  new DataView(message.buffer).setBigInt64(prevHash.length, seq, false);
  message.set(contentHash, prevHash.length + 8);
  return sha256(message);
}
