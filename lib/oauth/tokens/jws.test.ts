import { describe, expect, it } from 'vitest';
import { epochSeconds, leftHalfHash } from './jws';

describe('leftHalfHash (at_hash, c_hash)', () => {
  it('is the base64url of the first 16 bytes of SHA-256 over the ASCII value', () => {
    // SHA-256("abc") = ba7816bf 8f01cfea 414140de 5dae2223 | b00361a3 96177a9c b410ff61 f20015ad
    expect(leftHalfHash('abc')).toBe(Buffer.from('ba7816bf8f01cfea414140de5dae2223', 'hex').toString('base64url'));
    expect(leftHalfHash('abc')).toBe('ungWv48Bz-pBQUDeXa4iIw');
    expect(leftHalfHash('')).toBe(Buffer.from('e3b0c44298fc1c149afbf4c8996fb924', 'hex').toString('base64url'));
  });
});

describe('epochSeconds', () => {
  it('floors to whole seconds', () => {
    expect(epochSeconds(new Date('2026-01-01T00:00:00.999Z'))).toBe(1_767_225_600);
  });
});
