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
});
