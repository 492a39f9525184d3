import { describe, expect, it } from 'vitest';
import { methodsInWords } from './methods-in-words';

describe('methodsInWords', () => {
  it.each([
    [['pwd'], 'Password'],
    [['pwd', 'otp', 'mfa'], 'Password and one-time code (two-step)'],
    [['hwk', 'user', 'pin', 'mfa'], 'Passkey (two-step)'],
    [['swk', 'user'], 'Passkey'],
    [['pwd', 'otp', 'hwk', 'mfa'], 'Password, one-time code and passkey (two-step)'],
    [[], 'Unknown method'],
    [['made-up'], 'Unknown method'],
  ])('%j reads "%s"', (amr, words) => {
    expect(methodsInWords(amr)).toBe(words);
  });
});
