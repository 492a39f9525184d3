import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { chainHash, GENESIS_HASH } from './chain';

const contentHash = createHash('sha256').update('content').digest();

function expectedHash(prev: Uint8Array, seq: bigint, content: Uint8Array): Buffer {
  const seqBytes = Buffer.alloc(8);
  seqBytes.writeBigInt64BE(seq);
  return createHash('sha256').update(Buffer.concat([prev, seqBytes, content])).digest();
}

describe('chainHash', () => {
  it('is SHA-256(prev_hash || seq as 8 big-endian bytes || content hash), as int8send gives in SQL', () => {
    expect(Buffer.from(chainHash(GENESIS_HASH, 1n, contentHash))).toEqual(expectedHash(GENESIS_HASH, 1n, contentHash));
    const prev = createHash('sha256').update('previous').digest();
    const seq = 2n ** 40n + 5n;
    expect(Buffer.from(chainHash(prev, seq, contentHash))).toEqual(expectedHash(prev, seq, contentHash));
  });

  it('depends on the sequence number, so records cannot be reordered', () => {
    expect(Buffer.from(chainHash(GENESIS_HASH, 1n, contentHash))).not.toEqual(
      Buffer.from(chainHash(GENESIS_HASH, 2n, contentHash)),
    );
  });

  it('starts from 32 zero bytes', () => {
    expect(GENESIS_HASH).toEqual(new Uint8Array(32));
  });
});
