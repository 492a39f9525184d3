import { describe, expect, it } from 'vitest';
import {
  ACR_MULTI_FACTOR,
  ACR_PAPE_MULTI_FACTOR,
  ACR_SINGLE_FACTOR,
  acrOf,
  asksForMultiFactor,
  combineAmr,
  isMultiFactor,
} from './authentication-methods';

describe('combineAmr', () => {
  it('a password alone, or a passkey without user verification, is one factor', () => {
    expect(combineAmr(['pwd'])).toEqual(['pwd']);
    expect(combineAmr(['hwk', 'user'])).toEqual(['hwk', 'user']);
    expect(combineAmr(['swk', 'user'])).toEqual(['swk', 'user']);
  });

  it('a password and a one-time code or a passkey are two factors', () => {
    expect(combineAmr(['pwd'], ['otp'])).toEqual(['pwd', 'otp', 'mfa']);
    expect(combineAmr(['pwd'], ['hwk', 'user'])).toEqual(['pwd', 'hwk', 'user', 'mfa']);
  });

  it('a passkey with user verification is two factors by itself', () => {
    expect(combineAmr(['swk', 'user', 'pin'])).toEqual(['swk', 'user', 'pin', 'mfa']);
  });

  it('never counts a factor twice, and never trusts an mfa it was handed', () => {
    expect(combineAmr(['pwd', 'mfa'])).toEqual(['pwd']);
    expect(combineAmr(['otp'], ['otp'])).toEqual(['otp']);
    expect(combineAmr(['pwd'], ['pwd'])).toEqual(['pwd']);
  });
});

describe('acr', () => {
  it('is multi-factor exactly when the methods are', () => {
    expect(acrOf(['pwd'])).toBe(ACR_SINGLE_FACTOR);
    expect(acrOf(['pwd', 'otp', 'mfa'])).toBe(ACR_MULTI_FACTOR);
    expect(isMultiFactor(['pwd', 'otp'])).toBe(false);
  });

  it('recognises requests for multi-factor authentication, Optare’s own value and PAPE’s', () => {
    expect(asksForMultiFactor([ACR_MULTI_FACTOR])).toBe(true);
    expect(asksForMultiFactor([ACR_PAPE_MULTI_FACTOR])).toBe(true);
    expect(asksForMultiFactor([ACR_SINGLE_FACTOR])).toBe(false);
  });

  it('follows the order of preference: the first known value decides, unknown ones are skipped', () => {
    expect(asksForMultiFactor([ACR_MULTI_FACTOR, ACR_SINGLE_FACTOR])).toBe(true);
    expect(asksForMultiFactor([ACR_SINGLE_FACTOR, ACR_MULTI_FACTOR])).toBe(false);
    expect(asksForMultiFactor(['urn:unknown', ACR_PAPE_MULTI_FACTOR])).toBe(true);
    expect(asksForMultiFactor(['urn:unknown', '0'])).toBe(false);
    expect(asksForMultiFactor([])).toBe(false);
  });
});
