import { createHash, timingSafeEqual } from 'node:crypto';

/** Byte strings as Prisma stores them (bytea). */
export type Bytes = Uint8Array<ArrayBuffer>;

export function sha256(data: string | Uint8Array): Bytes {
  const digest = createHash('sha256').update(data).digest();
  const out = new Uint8Array(digest.length);
  out.set(digest);
  return out;
}

/** Constant-time equality for secrets and their hashes (false when lengths differ). */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
