import { createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { compactVerify, decodeProtectedHeader, errors } from 'jose';
import { describe, expect, it } from 'vitest';
import { SIGNING_ALGORITHMS, type SigningAlg } from '../keys/algorithms';
import { epochSeconds, keyResolver, leftHalfHash, signJwt } from './jws';

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

describe('signJwt with every signing algorithm', () => {
  const keys = {
    RS256: generateKeyPairSync('rsa', { modulusLength: 2048 }),
    PS256: generateKeyPairSync('rsa', { modulusLength: 3072 }),
    ES256: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
    EdDSA: generateKeyPairSync('ed25519'),
  } satisfies Record<SigningAlg, unknown>;

  it.each(SIGNING_ALGORITHMS)('%s: jose verifies the token with the public key and that alg only', async (alg) => {
    const payload = { iss: 'https://id.example.test', sub: 'user-1', name: 'Zoë ✓' };
    const token = await signJwt({ alg, typ: 'JWT', kid: `kid-${alg}` }, payload, keys[alg].privateKey);
    const verified = await compactVerify(token, keys[alg].publicKey, { algorithms: [alg] });
    expect(verified.protectedHeader).toEqual({ alg, typ: 'JWT', kid: `kid-${alg}` });
    expect(JSON.parse(new TextDecoder().decode(verified.payload))).toEqual(payload);
    // The same token is refused when the verifier does not allow its alg.
    const others = SIGNING_ALGORITHMS.filter((other) => other !== alg);
    await expect(compactVerify(token, keys[alg].publicKey, { algorithms: others })).rejects.toThrow(errors.JOSEAlgNotAllowed);
  });

  it('signs PS256 with RSA-PSS (randomised: two signatures differ, both verify) and ES256 as the 64-byte R || S', async () => {
    const first = await signJwt({ alg: 'PS256', typ: 'JWT', kid: 'k' }, { a: 1 }, keys.PS256.privateKey);
    const second = await signJwt({ alg: 'PS256', typ: 'JWT', kid: 'k' }, { a: 1 }, keys.PS256.privateKey);
    expect(first).not.toBe(second);
    expect(Buffer.from(first.split('.')[2]!, 'base64url')).toHaveLength(384);
    const es = await signJwt({ alg: 'ES256', typ: 'JWT', kid: 'k' }, { a: 1 }, keys.ES256.privateKey);
    expect(Buffer.from(es.split('.')[2]!, 'base64url')).toHaveLength(64);
    const ed = await signJwt({ alg: 'EdDSA', typ: 'JWT', kid: 'k' }, { a: 1 }, keys.EdDSA.privateKey);
    expect(Buffer.from(ed.split('.')[2]!, 'base64url')).toHaveLength(64);
  });
});

describe('keyResolver (no algorithm confusion)', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const published: Record<string, { key: KeyObject; alg: SigningAlg }> = {
    'rsa-rs256': { key: rsa.publicKey, alg: 'RS256' },
    'ec-es256': { key: ec.publicKey, alg: 'ES256' },
  };
  const resolver = keyResolver(async (kid) => published[kid] ?? null);
  const verify = (token: string) => compactVerify(token, resolver, { algorithms: [...SIGNING_ALGORITHMS] });
  const forge = (header: object, signature: Buffer | string) => {
    const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from('{"sub":"x"}').toString('base64url')}`;
    return { input, token: `${input}.${typeof signature === 'string' ? signature : signature.toString('base64url')}` };
  };

  it('accepts a token whose alg is the alg of the key its kid names', async () => {
    await expect(verify(await signJwt({ alg: 'RS256', typ: 'JWT', kid: 'rsa-rs256' }, { sub: 'x' }, rsa.privateKey))).resolves.toBeDefined();
    await expect(verify(await signJwt({ alg: 'ES256', typ: 'JWT', kid: 'ec-es256' }, { sub: 'x' }, ec.privateKey))).resolves.toBeDefined();
  });

  it('refuses a valid PS256 signature by the RS256 key (same RSA key, other alg)', async () => {
    const token = await signJwt({ alg: 'PS256', typ: 'JWT', kid: 'rsa-rs256' }, { sub: 'x' }, rsa.privateKey);
    // The signature itself is good: only the alg/kid binding refuses it.
    await expect(compactVerify(token, rsa.publicKey, { algorithms: ['PS256'] })).resolves.toBeDefined();
    await expect(verify(token)).rejects.toThrow(errors.JWKSNoMatchingKey);
  });

  it('refuses an unknown kid, a missing kid, alg none and HS256 keyed with the public key', async () => {
    await expect(verify(await signJwt({ alg: 'RS256', typ: 'JWT', kid: 'nope' }, { sub: 'x' }, rsa.privateKey))).rejects.toThrow(
      errors.JWKSNoMatchingKey,
    );
    const { input: noKidInput } = forge({ alg: 'RS256' }, '');
    const noKid = `${noKidInput}.${sign('sha256', Buffer.from(noKidInput), rsa.privateKey).toString('base64url')}`;
    await expect(verify(noKid)).rejects.toThrow(errors.JWKSNoMatchingKey);
    await expect(verify(forge({ alg: 'none', kid: 'rsa-rs256' }, '').token)).rejects.toThrow(errors.JOSEAlgNotAllowed);
    const pem = rsa.publicKey.export({ format: 'pem', type: 'spki' });
    const { input } = forge({ alg: 'HS256', kid: 'rsa-rs256' }, '');
    const hs256 = `${input}.${createHmac('sha256', pem).update(input).digest('base64url')}`;
    await expect(verify(hs256)).rejects.toThrow(errors.JOSEAlgNotAllowed);
  });
});

describe('leftHalfHash per alg', () => {
  it('uses SHA-256 for RS256, PS256 and ES256', () => {
    for (const alg of ['RS256', 'PS256', 'ES256'] as const) expect(leftHalfHash('abc', alg)).toBe('ungWv48Bz-pBQUDeXa4iIw');
  });

  it('uses the left half (32 bytes) of SHA-512 for EdDSA (Ed25519)', () => {
    // SHA-512("abc") = ddaf35a193617aba cc417349ae204131 12e6fa4e89a97ea2 0a9eeee64b55d39a | 2192992a…
    const expected = Buffer.from('ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a', 'hex').toString('base64url');
    expect(leftHalfHash('abc', 'EdDSA')).toBe(expected);
    expect(leftHalfHash('abc', 'EdDSA')).toHaveLength(43);
  });
});
