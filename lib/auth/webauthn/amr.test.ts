import { describe, expect, it } from 'vitest';
import { passkeyAmr } from './amr';

describe('passkeyAmr', () => {
  it('says hwk for a device-bound passkey and swk for a synced one', () => {
    expect(passkeyAmr({ backupEligible: false, userPresent: true, userVerified: false })).toEqual(['hwk', 'user']);
    expect(passkeyAmr({ backupEligible: true, userPresent: true, userVerified: false })).toEqual(['swk', 'user']);
  });

  it('adds pin only when the authenticator verified the user', () => {
    expect(passkeyAmr({ backupEligible: false, userPresent: true, userVerified: true })).toEqual(['hwk', 'user', 'pin']);
    expect(passkeyAmr({ backupEligible: true, userPresent: true, userVerified: true })).toEqual(['swk', 'user', 'pin']);
  });

  it('claims no presence test the flags do not show', () => {
    expect(passkeyAmr({ backupEligible: false, userPresent: false, userVerified: false })).toEqual(['hwk']);
    expect(passkeyAmr({ backupEligible: true, userPresent: false, userVerified: true })).toEqual(['swk', 'pin']);
  });
});
