import { hash, timingSafeEqual } from 'node:crypto';

/** Byte strings as Prisma stores them (bytea). */
export type Bytes = Uint8Array<ArrayBuffer>;

export function sha256(data: string | Uint8Array): Bytes {
  // The one-shot hash takes 0.5 to 1 µs less per call than createHash().update().digest().
  return new Uint8Array(hash('sha256', data, 'buffer'));
}

/** Constant-time equality for secrets and their hashes (false when lengths differ). */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
