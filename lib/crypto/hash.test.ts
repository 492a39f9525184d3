import { describe, expect, it } from 'vitest';
import { constantTimeEqual, sha256 } from './hash';
import { randomToken } from './random';

describe('sha256', () => {
  it('matches the FIPS 180-2 test vector for "abc", for text and bytes alike', () => {
    const expected = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
    expect(Buffer.from(sha256('abc')).toString('hex')).toBe(expected);
    expect(Buffer.from(sha256(new TextEncoder().encode('abc'))).toString('hex')).toBe(expected);
  });
});

describe('constantTimeEqual', () => {
  it('is true only for equal bytes of equal length', () => {
    expect(constantTimeEqual(sha256('a'), sha256('a'))).toBe(true);
    expect(constantTimeEqual(sha256('a'), sha256('b'))).toBe(false);
    expect(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2, 0]))).toBe(false);
    expect(constantTimeEqual(new Uint8Array(), new Uint8Array())).toBe(true);
  });
});

describe('randomToken', () => {
  it('gives 256 bits as 43 base64url characters by default, and never repeats', () => {
    const tokens = new Set(Array.from({ length: 1000 }, () => randomToken()));
    expect(tokens.size).toBe(1000);
    for (const token of tokens) expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(randomToken(16)).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('hands out every pooled byte once, across refills and for sizes beyond the pool', () => {
    // Sizes of 13 to 19 bytes, so that tokens straddle the 4 KiB pool's refills. A chance repeat
    // among these has a probability below 2^-80: a repeat means bytes were handed out twice.
    const tokens = Array.from({ length: 3000 }, (_, i) => randomToken(13 + (i % 7)));
    expect(new Set(tokens).size).toBe(tokens.length);
    tokens.forEach((token, i) => expect(Buffer.from(token, 'base64url')).toHaveLength(13 + (i % 7)));
    const large = randomToken(5000);
    expect(Buffer.from(large, 'base64url')).toHaveLength(5000);
    expect(new Set(large).size).toBeGreaterThan(32);
  });
});
