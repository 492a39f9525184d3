import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkAuthenticatorData, parseAuthenticatorDataHead } from './authenticator-data';

function authData(rpId: string, flags: number, counter: number, extra = 0): Uint8Array {
  const bytes = Buffer.alloc(37 + extra);
  createHash('sha256').update(rpId).digest().copy(bytes, 0);
  bytes.writeUInt8(flags, 32);
  bytes.writeUInt32BE(counter, 33);
  return Uint8Array.from(bytes);
}

describe('parseAuthenticatorDataHead', () => {
  it('reads the RP ID hash, every flag and the big-endian counter', () => {
    const head = parseAuthenticatorDataHead(authData('id.example.test', 0x01 | 0x04 | 0x08 | 0x10 | 0x40, 0x01020304, 10));
    expect(Buffer.from(head!.rpIdHash)).toEqual(createHash('sha256').update('id.example.test').digest());
    expect(head).toMatchObject({
      flags: { userPresent: true, userVerified: true, backupEligible: true, backedUp: true, attestedCredentialData: true },
      counter: 0x01020304,
    });
    expect(parseAuthenticatorDataHead(authData('x', 0, 2 ** 32 - 1))!.counter).toBe(2 ** 32 - 1);
  });

  it('reads each flag from its own bit', () => {
    expect(parseAuthenticatorDataHead(authData('x', 0x01, 0))!.flags).toEqual({
      userPresent: true,
      userVerified: false,
      backupEligible: false,
      backedUp: false,
      attestedCredentialData: false,
    });
    expect(parseAuthenticatorDataHead(authData('x', 0x04 | 0x10, 0))!.flags).toMatchObject({ userPresent: false, userVerified: true, backedUp: true });
  });

  it('refuses fewer than 37 bytes', () => {
    expect(parseAuthenticatorDataHead(new Uint8Array(36))).toBeNull();
  });
});

describe('checkAuthenticatorData', () => {
  it('accepts our RP ID with the user present', () => {
    expect(checkAuthenticatorData(authData('id.example.test', 0x01, 1), 'id.example.test')).toMatchObject({ ok: true, head: { counter: 1 } });
  });

  it('says which check failed', () => {
    expect(checkAuthenticatorData(new Uint8Array(20), 'id.example.test')).toEqual({ ok: false, reason: 'malformed_response' });
    expect(checkAuthenticatorData(authData('evil.example', 0x05, 1), 'id.example.test')).toEqual({ ok: false, reason: 'rp_id_mismatch' });
    expect(checkAuthenticatorData(authData('id.example.test', 0x04, 1), 'id.example.test')).toEqual({ ok: false, reason: 'user_not_present' });
    expect(checkAuthenticatorData(authData('id.example.test', 0x01 | 0x10, 1), 'id.example.test')).toEqual({ ok: false, reason: 'invalid_flags' });
  });
});
