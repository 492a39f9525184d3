import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeKey, isWeakKey } from './encryption-key';
import { parseDurationSeconds } from './duration';

describe('decodeKey', () => {
  it('reads 64 hex digits, base64 and base64url of 32 bytes, ignoring surrounding whitespace', () => {
    const key = randomBytes(32);
    for (const text of [key.toString('hex'), key.toString('hex').toUpperCase(), key.toString('base64'), key.toString('base64url'), `${key.toString('base64')}\n`]) {
      expect(decodeKey(text)?.equals(key)).toBe(true);
    }
  });

  it('returns null for other lengths and alphabets', () => {
    for (const text of ['', 'abc', randomBytes(31).toString('hex'), randomBytes(24).toString('base64'), '!'.repeat(43), 'g'.repeat(64)]) {
      expect(decodeKey(text)).toBeNull();
    }
  });
});

describe('isWeakKey', () => {
  it('accepts random bytes', () => {
    for (let i = 0; i < 20; i++) expect(isWeakKey(randomBytes(32))).toBe(false);
  });

  it('flags zeros, short repeated patterns and printable ASCII', () => {
    expect(isWeakKey(Buffer.alloc(32))).toBe(true);
    expect(isWeakKey(Buffer.from('ab'.repeat(16)))).toBe(true);
    expect(isWeakKey(Buffer.from('The quick brown fox jumps over!!', 'ascii'))).toBe(true);
  });
});

describe('parseDurationSeconds', () => {
  it('reads bare seconds and s/m/h/d suffixes', () => {
    expect(parseDurationSeconds('90')).toBe(90);
    expect(parseDurationSeconds('90s')).toBe(90);
    expect(parseDurationSeconds('15m')).toBe(900);
    expect(parseDurationSeconds(' 8h ')).toBe(28_800);
    expect(parseDurationSeconds('7d')).toBe(604_800);
  });

  it('returns null for anything else', () => {
    for (const text of ['', 'h', '1.5h', '-5m', '5w', '1h30m', '10 m', '1234567890']) {
      expect(parseDurationSeconds(text)).toBeNull();
    }
  });
});
