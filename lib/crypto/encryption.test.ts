import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DecryptionError, decrypt, encrypt, keyId, needsReencryption, type Keyring } from './encryption';

const ring = (current = randomBytes(32), old: Uint8Array[] = []): Keyring => ({ current, old });

/** Flips one bit in the given dot-separated part (2 = iv, 3 = ciphertext, 4 = tag). */
function flipBit(sealed: string, part: number, byte = 0): string {
  const parts = sealed.split('.');
  const bytes = Buffer.from(parts[part]!, 'base64url');
  bytes[byte]! ^= 0x01;
  parts[part] = bytes.toString('base64url');
  return parts.join('.');
}

describe('encrypt / decrypt', () => {
  it('round-trips text and bytes', () => {
    const keyring = ring();
    expect(decrypt(encrypt('JBSWY3DPEHPK3PXP', keyring), keyring).toString('utf8')).toBe('JBSWY3DPEHPK3PXP');
    const bytes = randomBytes(100);
    expect(decrypt(encrypt(bytes, keyring), keyring).equals(bytes)).toBe(true);
    expect(decrypt(encrypt('', keyring), keyring)).toHaveLength(0);
    expect(decrypt(encrypt('héllo 🔐', keyring, 'ctx'), keyring, 'ctx').toString('utf8')).toBe('héllo 🔐');
  });

  it('writes v1.<key id>.<iv>.<ciphertext>.<tag> with a fresh 96-bit IV and a 128-bit tag each time', () => {
    const keyring = ring();
    const a = encrypt('same', keyring);
    const b = encrypt('same', keyring);
    expect(a).not.toBe(b);
    const [version, kid, iv, ciphertext, tag] = a.split('.');
    expect(version).toBe('v1');
    expect(kid).toBe(keyId(keyring.current));
    expect(Buffer.from(iv!, 'base64url')).toHaveLength(12);
    expect(Buffer.from(ciphertext!, 'base64url')).toHaveLength(4);
    expect(Buffer.from(tag!, 'base64url')).toHaveLength(16);
    expect(a.split('.')[2]).not.toBe(b.split('.')[2]);
    expect(a).not.toContain('same');
  });

  it('derives a stable, 8-hex-digit key id that differs between keys and does not reveal the key', () => {
    const key = randomBytes(32);
    expect(keyId(key)).toMatch(/^[0-9a-f]{8}$/);
    expect(keyId(Buffer.from(key))).toBe(keyId(key));
    expect(keyId(randomBytes(32))).not.toBe(keyId(key));
    expect(key.toString('hex')).not.toContain(keyId(key));
  });

  it('decrypts a value sealed with a key that was rotated into the old keys, and flags it for re-encryption', () => {
    const before = ring();
    const sealed = encrypt('secret', before);
    expect(needsReencryption(sealed, before)).toBe(false);

    const after = ring(randomBytes(32), [randomBytes(32), before.current]);
    expect(decrypt(sealed, after).toString()).toBe('secret');
    expect(needsReencryption(sealed, after)).toBe(true);
    const resealed = encrypt(decrypt(sealed, after), after);
    expect(needsReencryption(resealed, after)).toBe(false);
    expect(resealed.split('.')[1]).toBe(keyId(after.current));
  });

  it('names the unknown key id and the setting to fix when the sealing key is no longer configured', () => {
    const sealed = encrypt('secret', ring());
    const kid = sealed.split('.')[1]!;
    expect(() => decrypt(sealed, ring())).toThrow(DecryptionError);
    expect(() => decrypt(sealed, ring())).toThrow(`no configured key has id ${kid} (add it to OPTARE_ENCRYPTION_KEYS_OLD)`);
  });

  it('refuses a tampered ciphertext, tag or IV', () => {
    const keyring = ring();
    const sealed = encrypt('a secret of some length', keyring);
    for (const [part, name] of [[2, 'iv'], [3, 'ciphertext'], [4, 'tag']] as const) {
      for (const byte of [0, 5, 11]) {
        expect(() => decrypt(flipBit(sealed, part, byte), keyring), `${name} byte ${byte}`).toThrow(
          /tampered with, or sealed for another context/,
        );
      }
    }
  });

  it('refuses a value moved to another context (additional authenticated data)', () => {
    const keyring = ring();
    const sealed = encrypt('totp secret', keyring, 'totp:user-1');
    expect(decrypt(sealed, keyring, 'totp:user-1').toString()).toBe('totp secret');
    expect(() => decrypt(sealed, keyring, 'totp:user-2')).toThrow(DecryptionError);
    expect(() => decrypt(sealed, keyring)).toThrow(DecryptionError);
    expect(() => decrypt(encrypt('x', keyring), keyring, 'totp:user-1')).toThrow(DecryptionError);
  });

  it('refuses a value sealed by another key that claims the current key id', () => {
    const keyring = ring();
    const forged = encrypt('x', ring()).split('.');
    forged[1] = keyId(keyring.current);
    expect(() => decrypt(forged.join('.'), keyring)).toThrow(DecryptionError);
  });

  it('refuses malformed values', () => {
    const keyring = ring();
    const sealed = encrypt('x', keyring);
    for (const value of ['', 'plain text', sealed.replace(/^v1/, 'v2'), `${sealed}.extra`, sealed.split('.').slice(0, 4).join('.')]) {
      expect(() => decrypt(value, keyring)).toThrow(DecryptionError);
    }
  });

  it('refuses a shortened authentication tag or IV (truncated GCM tags make forgery cheap)', () => {
    const keyring = ring();
    const parts = encrypt('x', keyring).split('.');
    const tag = Buffer.from(parts[4]!, 'base64url');
    for (const length of [4, 8, 12, 15]) {
      const cut = [...parts];
      cut[4] = tag.subarray(0, length).toString('base64url');
      expect(() => decrypt(cut.join('.'), keyring)).toThrow(DecryptionError);
    }
    const shortIv = [...parts];
    shortIv[2] = Buffer.from(parts[2]!, 'base64url').subarray(0, 8).toString('base64url');
    expect(() => decrypt(shortIv.join('.'), keyring)).toThrow(DecryptionError);
  });
});
