import { describe, expect, it } from 'vitest';
import { formatRecoveryCode, MAX_RECOVERY_CODE_INPUT, newRecoveryCode, normalizeRecoveryCode } from './recovery-codes';

const CANONICAL = /^[0-9a-hjkmnp-tv-z]{24}$/;

describe('newRecoveryCode', () => {
  it('is 24 symbols of Crockford base32 in lower case (no i, l, o, u): 120 bits', () => {
    for (let i = 0; i < 200; i += 1) expect(newRecoveryCode()).toMatch(CANONICAL);
  });

  it('is random: every symbol of the alphabet shows up, and no two of 1000 codes are equal', () => {
    const codes = Array.from({ length: 1000 }, newRecoveryCode);
    expect(new Set(codes).size).toBe(1000);
    expect(new Set(codes.join('')).size).toBe(32);
  });
});

describe('formatRecoveryCode', () => {
  it('groups the symbols by four', () => {
    expect(formatRecoveryCode('abcd2345wxyzabcd2345wxyz')).toBe('abcd-2345-wxyz-abcd-2345-wxyz');
  });
});

describe('normalizeRecoveryCode', () => {
  it.each([
    ['as shown', 'abcd-2345-wxyz-abcd-2345-wxyz'],
    ['without dashes', 'abcd2345wxyzabcd2345wxyz'],
    ['in upper case', 'ABCD-2345-WXYZ-ABCD-2345-WXYZ'],
    ['with spaces', '  abcd 2345 wxyz abcd 2345 wxyz \n'],
  ])('reads a code typed %s', (_label, input) => {
    expect(normalizeRecoveryCode(input)).toBe('abcd2345wxyzabcd2345wxyz');
  });

  it('reads o as 0 and i, l as 1, as Crockford base32 does', () => {
    expect(normalizeRecoveryCode('oOiI-lLab-cdef-abcd-2345-wxyz')).toBe('001111abcdefabcd2345wxyz');
  });

  it.each([
    ['empty', ''],
    ['too short', 'abcd-2345-wxyz-abcd-2345-wxy'],
    ['too long', 'abcd-2345-wxyz-abcd-2345-wxyz-a'],
    ['with u', 'abcd-2345-wxyz-abcd-2345-wxyu'],
    ['with punctuation', 'abcd_2345_wxyz_abcd_2345_wxyz'],
    ['with a NUL byte', 'abcd-2345-wxyz-abcd-2345-wxy\u0000z'],
    ['non-ASCII', 'abcd-2345-wxyz-abcd-2345-wxyé'],
    ['10 kB', 'a'.repeat(10_240)],
  ])('refuses input %s', (_label, input) => {
    expect(normalizeRecoveryCode(input)).toBeNull();
  });

  it(`refuses input longer than ${MAX_RECOVERY_CODE_INPUT} characters before looking at it`, () => {
    const padded = (length: number) => 'abcd-2345-wxyz-abcd-2345-wxyz'.padEnd(length, ' ');
    expect(normalizeRecoveryCode(padded(MAX_RECOVERY_CODE_INPUT))).toBe('abcd2345wxyzabcd2345wxyz');
    expect(normalizeRecoveryCode(padded(MAX_RECOVERY_CODE_INPUT + 1))).toBeNull();
  });

  it('refuses what is not a string', () => {
    for (const input of [undefined, null, 42, ['abcd2345wxyzabcd2345wxyz']]) expect(normalizeRecoveryCode(input)).toBeNull();
  });
});
