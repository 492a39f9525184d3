import { generateKeyPairSync, sign } from 'node:crypto';
import { compactVerify, decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { epochSeconds, leftHalfHash, signJwt } from './jws';

describe('signJwt', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;

  it('makes a compact RS256 JWS that jose verifies, with exactly the given header and payload', async () => {
    const payload = { iss: 'https://id.example.test', sub: 'user-1', name: 'Zoë ✓', n: 1 };
    const token = await signJwt({ alg: 'RS256', typ: 'at+jwt', kid: 'kid-1' }, payload, privateKey);
    expect(token.split('.')).toHaveLength(3);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    const verified = await compactVerify(token, publicKey, { algorithms: ['RS256'] });
    expect(JSON.parse(new TextDecoder().decode(verified.payload))).toEqual(payload);
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'RS256', typ: 'at+jwt', kid: 'kid-1' });
    await expect(compactVerify(token, other, { algorithms: ['RS256'] })).rejects.toThrow();
  });

  it('signs the ASCII signing input with RSASSA-PKCS1-v1_5 SHA-256 (deterministic, RFC 7518 §3.3)', async () => {
    const token = await signJwt({ alg: 'RS256', typ: 'JWT', kid: 'k' }, { a: 1 }, privateKey);
    const [header, body, signature] = token.split('.');
    expect(signature).toBe(sign('sha256', Buffer.from(`${header}.${body}`), privateKey).toString('base64url'));
  });
});

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
