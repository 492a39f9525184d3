import { createHash, generateKeyPairSync } from 'node:crypto';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidRequest, InvalidToken } from '../../lib/oauth/errors';
import { activeSigningKey, ensureSigningKey, forgetCachedSigningKeys, publishedJwks, rotateSigningKey } from '../../lib/oauth/keys/signing-keys';
import { issueAccessToken, verifyAccessToken, type AccessTokenInput } from '../../lib/oauth/tokens/access-token';
import { issueIdToken, verifyIdTokenHint } from '../../lib/oauth/tokens/id-token';
import { MAX_TOKEN_TTL_SECONDS } from '../../lib/oauth/tokens/lifetimes';
import { openTestDatabase, type TestDatabase } from '../support/database';
import { useTestConfig } from '../support/config';

const ISSUER = 'https://id.example.test';

let database: TestDatabase;
beforeAll(async () => {
  useTestConfig({ OPTARE_ISSUER: ISSUER });
  database = await openTestDatabase();
  forgetCachedSigningKeys();
  await ensureSigningKey();
});
afterAll(() => database.close());

const USER_INPUT: AccessTokenInput = {
  clientId: 'client-a',
  subject: '6b1f9c4e-2a51-4d3c-9b8e-0d1e2f3a4b5c',
  scopes: ['openid', 'profile', 'offline_access'],
  ttlSeconds: 3600,
  grantId: 'grant-123',
  authTime: new Date('2026-11-30T10:00:00.500Z'),
  amr: ['pwd', 'otp'],
  acr: 'urn:optare:acr:mfa',
};

const jwks = async () => createLocalJWKSet(await publishedJwks());
const s = (date: Date) => Math.floor(date.getTime() / 1000);

/** Replaces one character of the segment so the result is still valid base64url. */
function tamper(token: string, segment: 0 | 1 | 2): string {
  const parts = token.split('.');
  const part = parts[segment]!;
  const index = Math.floor(part.length / 2);
  parts[segment] = part.slice(0, index) + (part[index] === 'A' ? 'B' : 'A') + part.slice(index + 1);
  return parts.join('.');
}

async function expectInvalidToken(promise: Promise<unknown>) {
  await expect(promise).rejects.toBeInstanceOf(InvalidToken);
  await expect(promise).rejects.toMatchObject({ code: 'invalid_token', status: 401 });
}

describe('access tokens (RFC 9068)', () => {
  it('are RS256 at+jwt JWTs that verify against the JWKS and carry every claim', async () => {
    const now = new Date();
    const { token, jti, expiresAt } = await issueAccessToken(USER_INPUT, now);
    const header = decodeProtectedHeader(token);
    expect(header).toEqual({ alg: 'RS256', typ: 'at+jwt', kid: (await activeSigningKey()).kid });

    const { payload } = await jwtVerify(token, await jwks(), { issuer: ISSUER, audience: ISSUER, typ: 'at+jwt', algorithms: ['RS256'] });
    expect(payload).toEqual({
      iss: ISSUER,
      sub: USER_INPUT.subject,
      aud: ISSUER,
      client_id: 'client-a',
      scope: 'openid profile offline_access',
      jti,
      iat: s(now),
      exp: s(now) + 3600,
      auth_time: s(USER_INPUT.authTime!),
      acr: 'urn:optare:acr:mfa',
      amr: ['pwd', 'otp'],
      gid: 'grant-123',
    });
    expect(jti).toMatch(/^[A-Za-z0-9_-]{22}$/); // 128 random bits
    expect(expiresAt.getTime()).toBe((s(now) + 3600) * 1000);
    expect(await verifyAccessToken(token, now)).toEqual(payload);
  });

  it('leave out what is not known, take an audience, and never outlive MAX_TOKEN_TTL_SECONDS', async () => {
    const now = new Date();
    const { token } = await issueAccessToken(
      { clientId: 'service', subject: 'service', scopes: [], ttlSeconds: 30 * 86_400, audience: 'https://api.example.test' },
      now,
    );
    const claims = decodeJwt(token);
    expect(Object.keys(claims).sort()).toEqual(['aud', 'client_id', 'exp', 'iat', 'iss', 'jti', 'sub']);
    expect(claims.aud).toBe('https://api.example.test');
    expect(claims.exp! - claims.iat!).toBe(MAX_TOKEN_TTL_SECONDS);
    expect(await verifyAccessToken(token, now)).toMatchObject({ scope: '', sub: 'service', client_id: 'service' });
  });

  it('get a fresh jti every time', async () => {
    const jtis = await Promise.all(Array.from({ length: 20 }, async () => (await issueAccessToken(USER_INPUT)).jti));
    expect(new Set(jtis).size).toBe(20);
  });

  it('are refused when tampered with, in any part', async () => {
    const { token } = await issueAccessToken(USER_INPUT);
    for (const segment of [0, 1, 2] as const) await expectInvalidToken(verifyAccessToken(tamper(token, segment)));
    const [header, , signature] = token.split('.');
    const widened = Buffer.from(JSON.stringify({ ...decodeJwt(token), scope: 'openid admin' })).toString('base64url');
    await expectInvalidToken(verifyAccessToken(`${header}.${widened}.${signature}`));
  });

  it('are refused once expired', async () => {
    const issuedAt = new Date(Date.now() - 2 * 3600_000);
    const { token, expiresAt } = await issueAccessToken(USER_INPUT, issuedAt);
    await expect(verifyAccessToken(token, new Date(expiresAt.getTime() - 1000))).resolves.toBeTruthy();
    await expectInvalidToken(verifyAccessToken(token, expiresAt));
    await expectInvalidToken(verifyAccessToken(token));
  });

  it('are refused with the wrong typ: an ID token is not an access token', async () => {
    const idToken = await issueIdToken({ clientId: 'client-a', userId: 'u', sessionId: null, authTime: new Date() });
    await expectInvalidToken(verifyAccessToken(idToken));
    const { kid, privateKey } = await activeSigningKey();
    const claims = decodeJwt((await issueAccessToken(USER_INPUT)).token);
    for (const typ of [undefined, 'JWT', 'jwt+at']) {
      const token = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid, ...(typ ? { typ } : {}) }).sign(privateKey);
      await expectInvalidToken(verifyAccessToken(token));
    }
  });

  it('are refused from another issuer, even signed with our key', async () => {
    const { kid, privateKey } = await activeSigningKey();
    const claims = { ...decodeJwt((await issueAccessToken(USER_INPUT)).token), iss: 'https://evil.example' };
    const token = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid }).sign(privateKey);
    await expectInvalidToken(verifyAccessToken(token));
  });

  it('are refused before their nbf, or with a claim missing or mistyped, even signed with our key', async () => {
    const { kid, privateKey } = await activeSigningKey();
    const claims = decodeJwt((await issueAccessToken(USER_INPUT)).token);
    const signed = (payload: Record<string, unknown>) => new SignJWT(payload).setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid }).sign(privateKey);
    const now = new Date();
    await expect(verifyAccessToken(await signed({ ...claims, nbf: s(now) }), now)).resolves.toMatchObject({ jti: claims.jti });
    await expectInvalidToken(verifyAccessToken(await signed({ ...claims, nbf: s(now) + 1 }), now));
    await expectInvalidToken(verifyAccessToken(await signed({ ...claims, nbf: String(s(now)) }), now));
    const { jti: _jti, ...withoutJti } = claims;
    for (const payload of [withoutJti, { ...claims, exp: String(claims.exp) }, { ...claims, aud: [] }, { ...claims, sub: 7 }, { ...claims, amr: 'pwd' }]) {
      await expectInvalidToken(verifyAccessToken(await signed(payload), now));
    }
  });

  it('are refused when signed by a foreign key, unsigned, or HMAC-signed', async () => {
    const { kid } = await activeSigningKey();
    const claims = decodeJwt((await issueAccessToken(USER_INPUT)).token);
    const { privateKey: foreign } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    for (const headerKid of [kid, 'unknown-kid', undefined]) {
      const token = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', ...(headerKid ? { kid: headerKid } : {}) })
        .sign(foreign);
      await expectInvalidToken(verifyAccessToken(token));
    }
    await expectInvalidToken(verifyAccessToken(new UnsecuredJWT(claims).encode()));
    const jwk = (await publishedJwks()).keys[0]!;
    const hmac = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid })
      .sign(new TextEncoder().encode(JSON.stringify(jwk)));
    await expectInvalidToken(verifyAccessToken(hmac));
  });

  it('are refused when malformed', async () => {
    for (const token of ['', 'abc', 'a.b.c', 'a.b', `${'x'.repeat(9000)}.y.z`]) await expectInvalidToken(verifyAccessToken(token));
  });

  it('signed by a retired key still verify while it is published; new ones use the new key', async () => {
    const before = await issueAccessToken(USER_INPUT);
    const { kid, retiredKid } = await rotateSigningKey();
    expect(decodeProtectedHeader(before.token).kid).toBe(retiredKid);
    await expect(verifyAccessToken(before.token)).resolves.toMatchObject({ jti: before.jti });
    const after = await issueAccessToken(USER_INPUT);
    expect(decodeProtectedHeader(after.token).kid).toBe(kid);
    await expect(verifyAccessToken(after.token)).resolves.toMatchObject({ jti: after.jti });
  });
});

describe('ID tokens (OIDC Core)', () => {
  const authTime = new Date('2026-11-30T09:59:58.900Z');

  it('carry iss, sub, aud, exp, iat, auth_time, nonce, at_hash, c_hash, acr, amr and sid', async () => {
    const now = new Date();
    const accessToken = (await issueAccessToken(USER_INPUT, now)).token;
    const idToken = await issueIdToken(
      {
        clientId: 'client-a',
        userId: 'user-1',
        sessionId: 'session-9',
        authTime,
        nonce: 'n-0S6_WzA2Mj',
        amr: ['pwd'],
        acr: '1',
        accessToken,
        code: 'SplxlOBeZQQYbYS6WxSbIA',
        claims: { email: 'ada@example.com', email_verified: true, iss: 'https://evil.example', sub: 'someone-else', nonce: 'forged' },
      },
      now,
    );
    expect(decodeProtectedHeader(idToken)).toEqual({ alg: 'RS256', typ: 'JWT', kid: (await activeSigningKey()).kid });
    const { payload } = await jwtVerify(idToken, await jwks(), { issuer: ISSUER, audience: 'client-a', algorithms: ['RS256'] });
    // at_hash: the left-most 128 bits of SHA-256 over the ASCII access token, base64url (§3.1.3.6).
    const leftHalf = (value: string) => createHash('sha256').update(value).digest().subarray(0, 16).toString('base64url');
    expect(payload).toEqual({
      iss: ISSUER,
      sub: 'user-1',
      aud: 'client-a',
      exp: s(now) + 3600,
      iat: s(now),
      auth_time: s(authTime),
      nonce: 'n-0S6_WzA2Mj',
      at_hash: leftHalf(accessToken),
      c_hash: leftHalf('SplxlOBeZQQYbYS6WxSbIA'),
      acr: '1',
      amr: ['pwd'],
      sid: 'session-9',
      email: 'ada@example.com',
      email_verified: true,
    });
    expect(payload.at_hash).toHaveLength(22);
  });

  it('leave out nonce, at_hash, c_hash, acr, amr and sid when there are none', async () => {
    const idToken = await issueIdToken({ clientId: 'client-a', userId: 'user-1', sessionId: null, authTime, ttlSeconds: 10 * 86_400 });
    const claims = decodeJwt(idToken);
    expect(Object.keys(claims).sort()).toEqual(['aud', 'auth_time', 'exp', 'iat', 'iss', 'sub']);
    expect(claims.exp! - claims.iat!).toBe(MAX_TOKEN_TTL_SECONDS);
  });
});

describe('id_token_hint', () => {
  const input = { clientId: 'client-a', userId: 'user-1', sessionId: 'session-9', authTime: new Date() };

  it('is accepted when expired (OIDC allows that) and yields sub, aud and sid', async () => {
    const expired = await issueIdToken(input, new Date(Date.now() - 3 * 86_400_000));
    await expect(verifyIdTokenHint(expired)).resolves.toMatchObject({ sub: 'user-1', aud: ['client-a'], sid: 'session-9' });
    const fresh = await issueIdToken({ ...input, sessionId: null });
    const hint = await verifyIdTokenHint(fresh);
    expect(hint).toMatchObject({ sub: 'user-1', aud: ['client-a'] });
    expect(hint).not.toHaveProperty('sid');
    expect(hint.claims.iss).toBe(ISSUER);
  });

  it('is refused when tampered with, foreign-signed, from another issuer, or an access token', async () => {
    const idToken = await issueIdToken(input);
    const refused = async (token: string) => {
      await expect(verifyIdTokenHint(token)).rejects.toBeInstanceOf(InvalidRequest);
      await expect(verifyIdTokenHint(token)).rejects.toMatchObject({ code: 'invalid_request' });
    };
    for (const segment of [0, 1, 2] as const) await refused(tamper(idToken, segment));
    const [header, , signature] = idToken.split('.');
    await refused(`${header}.${Buffer.from(JSON.stringify({ ...decodeJwt(idToken), sub: 'admin' })).toString('base64url')}.${signature}`);

    const { kid, privateKey } = await activeSigningKey();
    const claims = decodeJwt(idToken);
    const { privateKey: foreign } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await refused(await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid }).sign(foreign));
    await refused(await new SignJWT({ ...claims, iss: 'https://evil.example' }).setProtectedHeader({ alg: 'RS256', kid }).sign(privateKey));
    await refused(new UnsecuredJWT(claims).encode());
    await refused((await issueAccessToken(USER_INPUT)).token);
    for (const garbage of ['', 'abc', 'a.b.c']) await refused(garbage);
  });
});
