import { constants, createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { compactVerify, decodeProtectedHeader, errors } from 'jose';
import { describe, expect, it } from 'vitest';
import { isSigningAlg, SIGNING_ALGORITHMS, type SigningAlg } from '../keys/algorithms';
import { epochSeconds, InvalidJws, leftHalfHash, signJwt, verifyJws } from './jws';

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

/** One key pair per signing algorithm (PS256 on a 3072-bit key). */
const keys = {
  RS256: generateKeyPairSync('rsa', { modulusLength: 2048 }),
  PS256: generateKeyPairSync('rsa', { modulusLength: 3072 }),
  ES256: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  EdDSA: generateKeyPairSync('ed25519'),
} satisfies Record<SigningAlg, unknown>;

describe('signJwt with every signing algorithm', () => {

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

describe('verifyJws (no algorithm confusion)', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const published: Record<string, { key: KeyObject; alg: SigningAlg }> = {
    'rsa-rs256': { key: rsa.publicKey, alg: 'RS256' },
    'ec-es256': { key: ec.publicKey, alg: 'ES256' },
  };
  const verify = (token: string) => verifyJws(token, async (kid) => published[kid] ?? null);
  const forge = (header: object, signature: Buffer | string) => {
    const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from('{"sub":"x"}').toString('base64url')}`;
    return { input, token: `${input}.${typeof signature === 'string' ? signature : signature.toString('base64url')}` };
  };

  it('accepts a token whose alg is the alg of the key its kid names, and returns its header and payload', async () => {
    await expect(verify(await signJwt({ alg: 'RS256', typ: 'JWT', kid: 'rsa-rs256' }, { sub: 'x' }, rsa.privateKey))).resolves.toEqual({
      header: { alg: 'RS256', typ: 'JWT', kid: 'rsa-rs256' },
      payload: { sub: 'x' },
    });
    await expect(verify(await signJwt({ alg: 'ES256', typ: 'JWT', kid: 'ec-es256' }, { sub: 'x' }, ec.privateKey))).resolves.toMatchObject({
      payload: { sub: 'x' },
    });
  });

  it('refuses a valid PS256 signature by the RS256 key (same RSA key, other alg)', async () => {
    const token = await signJwt({ alg: 'PS256', typ: 'JWT', kid: 'rsa-rs256' }, { sub: 'x' }, rsa.privateKey);
    // The signature itself is good: only the alg/kid binding refuses it.
    await expect(compactVerify(token, rsa.publicKey, { algorithms: ['PS256'] })).resolves.toBeDefined();
    await expect(verify(token)).rejects.toThrow(/not the alg of the key/);
  });

  it('refuses an unknown kid, a missing kid, alg none and HS256 keyed with the public key', async () => {
    await expect(verify(await signJwt({ alg: 'RS256', typ: 'JWT', kid: 'nope' }, { sub: 'x' }, rsa.privateKey))).rejects.toThrow(InvalidJws);
    const { input: noKidInput } = forge({ alg: 'RS256' }, '');
    const noKid = `${noKidInput}.${sign('sha256', Buffer.from(noKidInput), rsa.privateKey).toString('base64url')}`;
    await expect(verify(noKid)).rejects.toThrow(/no kid/);
    await expect(verify(forge({ alg: 'none', kid: 'rsa-rs256' }, '').token)).rejects.toThrow(InvalidJws);
    await expect(verify(`${forge({ alg: 'none', kid: 'rsa-rs256' }, '').input}.`)).rejects.toThrow(InvalidJws);
    const pem = rsa.publicKey.export({ format: 'pem', type: 'spki' });
    const { input } = forge({ alg: 'HS256', kid: 'rsa-rs256' }, '');
    const hs256 = `${input}.${createHmac('sha256', pem).update(input).digest('base64url')}`;
    await expect(verify(hs256)).rejects.toThrow(/alg Optare does not sign with/);
  });
});

describe('verifyJws against jose', () => {
  const lookup = async (kid: string) => (isSigningAlg(kid) ? { key: keys[kid].publicKey, alg: kid } : null);
  // jose with the same binding of kid to key and alg: what verifyJws replaced.
  const joseVerify = (token: string) =>
    compactVerify(token, async (header) => {
      const found = typeof header.kid === 'string' ? await lookup(header.kid) : null;
      if (!found || found.alg !== header.alg) throw new errors.JWKSNoMatchingKey();
      return found.key;
    }, { algorithms: [...SIGNING_ALGORITHMS] });
  const encode = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
  /** A token properly signed by the alg's key over whatever header and payload bytes are given. */
  const signed = (alg: SigningAlg, header: unknown, payload: unknown) => {
    const input = `${encode(header)}.${encode(payload)}`;
    const digest = alg === 'EdDSA' ? null : 'sha256';
    const options = alg === 'PS256' ? { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } : alg === 'ES256' ? { dsaEncoding: 'ieee-p1363' as const } : {};
    return `${input}.${sign(digest, Buffer.from(input), { key: keys[alg].privateKey, ...options }).toString('base64url')}`;
  };

  it.each(SIGNING_ALGORITHMS)('%s: both accept our token and refuse it with any part changed', async (alg) => {
    const payload = { iss: 'https://id.example.test', sub: 'user-1', name: 'Zoë ✓' };
    const token = await signJwt({ alg, typ: 'JWT', kid: alg }, payload, keys[alg].privateKey);
    await expect(verifyJws(token, lookup)).resolves.toEqual({ header: { alg, typ: 'JWT', kid: alg }, payload });
    await expect(joseVerify(token)).resolves.toBeDefined();
    const parts = token.split('.');
    for (const index of [0, 1, 2]) {
      const changed = [...parts];
      const bytes = Buffer.from(changed[index]!, 'base64url');
      bytes[3] = bytes[3]! ^ 1;
      changed[index] = bytes.toString('base64url');
      await expect(verifyJws(changed.join('.'), lookup)).rejects.toThrow(InvalidJws);
      await expect(joseVerify(changed.join('.'))).rejects.toThrow();
    }
  });

  it('both refuse malformed tokens: parts, encoding, header and signature', async () => {
    const good = signed('RS256', { alg: 'RS256', kid: 'RS256' }, { sub: 'x' });
    const [header, payload, signature] = good.split('.') as [string, string, string];
    const es = signed('ES256', { alg: 'ES256', kid: 'ES256' }, { sub: 'x' });
    const [esHeader, esPayload, esSignature] = es.split('.') as [string, string, string];
    const der = sign('sha256', Buffer.from(`${esHeader}.${esPayload}`), keys.ES256.privateKey).toString('base64url');
    const refused = [
      '', 'abc', 'a.b', 'a.b.c', '..', `${good}.`, `${good}.${signature}`, `${header}.${payload}`, `${header}.${payload}.`,
      `${header}.${payload}.${signature}=`, `${header}=.${payload}.${signature}`, `${header}.${payload}.${signature.replace(/-/g, '+').replace(/_/g, '/')}`,
      ` ${good}`, `${header}.${payload} .${signature}`, `${header}.${payload}.${signature.slice(0, -2)}`,
      signed('RS256', ['RS256'], { sub: 'x' }), signed('RS256', 'not json', { sub: 'x' }), signed('RS256', null, { sub: 'x' }),
      signed('RS256', { alg: 'rs256', kid: 'RS256' }, { sub: 'x' }), signed('RS256', { alg: 'RS256', kid: 7 }, { sub: 'x' }),
      signed('RS256', { alg: 'RS256', kid: 'ES256' }, { sub: 'x' }), signed('RS256', { alg: 'RS256', kid: 'RS256', crit: ['exp'], exp: 1 }, { sub: 'x' }),
      `${esHeader}.${esPayload}.${der}`, `${esHeader}.${esPayload}.${esSignature.slice(0, 40)}`, `${esHeader}.${esPayload}.AA`,
      `${header}.${payload}.${'A'.repeat(8_200)}`,
    ];
    for (const token of refused) {
      await expect(verifyJws(token, lookup), token.slice(0, 80)).rejects.toThrow(InvalidJws);
      await expect(joseVerify(token), token.slice(0, 80)).rejects.toThrow();
    }
    await expect(verifyJws(undefined as unknown as string, lookup)).rejects.toThrow(InvalidJws);
  });

  it('is stricter than jose where a JWT must be: non-canonical base64url, a payload that is not a JSON object, any crit', async () => {
    const good = signed('EdDSA', { alg: 'EdDSA', kid: 'EdDSA' }, { sub: 'x' });
    const [header, payload, signature] = good.split('.') as [string, string, string];
    // A 64-byte signature leaves 4 unused bits in its last character: jose ignores them, verifyJws wants them zero.
    const last = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sameBits = last[last.indexOf(signature.at(-1)!) + 1]!;
    const nonCanonical = `${header}.${payload}.${signature.slice(0, -1)}${sameBits}`;
    expect(Buffer.from(nonCanonical.split('.')[2]!, 'base64url')).toEqual(Buffer.from(signature, 'base64url'));
    const unencoded = (() => {
      const protectedHeader = encode({ alg: 'EdDSA', kid: 'EdDSA', b64: false, crit: ['b64'] });
      const body = '{"sub":"x"}';
      return `${protectedHeader}..${sign(null, Buffer.from(`${protectedHeader}.${body}`), keys.EdDSA.privateKey).toString('base64url')}`;
    })();
    const stricter = [
      nonCanonical,
      signed('EdDSA', { alg: 'EdDSA', kid: 'EdDSA' }, ['x']),
      signed('EdDSA', { alg: 'EdDSA', kid: 'EdDSA' }, 'plain text'),
      signed('EdDSA', { alg: 'EdDSA', kid: 'EdDSA' }, 'null'),
    ];
    for (const token of stricter) {
      await expect(joseVerify(token)).resolves.toBeDefined();
      await expect(verifyJws(token, lookup)).rejects.toThrow(InvalidJws);
    }
    // RFC 7797's unencoded payload: jose needs the payload passed apart; verifyJws refuses any crit.
    await expect(verifyJws(unencoded, lookup)).rejects.toThrow(/crit|canonical/);
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
