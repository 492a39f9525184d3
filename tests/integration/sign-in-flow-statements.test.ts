import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasSecondFactor } from '../../lib/auth/second-factors';
import { createSession, validateSessionToken } from '../../lib/auth/sessions';
import { confirmTotpEnrollment, startTotpEnrollment } from '../../lib/auth/totp';
import { sha256 } from '../../lib/crypto/hash';
import { randomToken } from '../../lib/crypto/random';
import { consumeAuthorizationRequest, findAuthorizationRequest, insertAuthorizationRequest } from '../../lib/db/authorization-requests';
import { findAuthorizationCode, insertGrantWithCode } from '../../lib/db/grants';
import { findSessionByTokenHash } from '../../lib/db/sessions';
import { recentSignInPlaces } from '../../lib/db/sign-in-history';
import { insertPasskey } from '../../lib/db/webauthn';
import type { TestDatabase } from '../support/database';
import { testContext } from '../support/context';
import { totpAt } from '../support/totp';
import { newClient, newUser, openAuthorizeTestDatabase, REDIRECT_URI } from './authorize-support';

/**
 * The sign-in flow's statements that go to the driver in SQL rather than through Prisma
 * (docs/decisions.md, "The sign-in flow's statements through the driver"): each returns what the
 * Prisma queries they replaced returned, on the embedded database and on PostgreSQL.
 */

let database: TestDatabase;
beforeAll(async () => {
  database = await openAuthorizeTestDatabase();
});
afterAll(() => database.close());

const minutes = (date: Date, n: number) => new Date(date.getTime() + n * 60_000);

describe('whether a user has a second factor (one statement)', () => {
  it('is false for a password only and for a pending authenticator, true once it is confirmed or with a passkey', async () => {
    const user = await newUser();
    expect(await hasSecondFactor(user.id)).toBe(false);
    const now = new Date();
    const started = await startTotpEnrollment(user, now);
    if (!started.ok) throw new Error('enrollment did not start');
    expect(await hasSecondFactor(user.id)).toBe(false);
    expect(await confirmTotpEnrollment(user.id, totpAt(started.secret, now), testContext(), now)).toEqual({ ok: true });
    expect(await hasSecondFactor(user.id)).toBe(true);

    const passkeyOnly = await newUser();
    await insertPasskey({
      userId: passkeyOnly.id,
      credentialId: new Uint8Array(randomBytes(32)),
      publicKey: new Uint8Array(randomBytes(77)),
      counter: 0,
      transports: ['internal'],
      backupEligible: true,
      backedUp: true,
      aaguid: '00000000-0000-0000-0000-000000000000',
      nickname: 'Laptop',
      createdAt: now,
    });
    expect(await hasSecondFactor(passkeyOnly.id)).toBe(true);
  });
});

describe('the browser session with its user (one joined statement)', () => {
  it('returns the session and its user, with the caller\'s clock for its start; a missing method list reads as none', async () => {
    const user = await newUser();
    const startedAt = new Date('2026-06-01T10:00:00.123Z');
    const { token, sessionId } = await createSession(user.id, ['pwd'], testContext({ ip: '192.0.2.7', userAgent: 'Test/1.0' }), startedAt);
    const found = await findSessionByTokenHash(sha256(token));
    expect(found).toMatchObject({
      id: sessionId,
      userId: user.id,
      createdAt: startedAt,
      lastSeenAt: startedAt,
      authenticatedAt: startedAt,
      amr: ['pwd'],
      user: { id: user.id, email: user.email, name: 'Ada', isAdmin: false, disabledAt: null },
    });
    await database.sql('UPDATE sessions SET amr = NULL WHERE id = $1', [sessionId]);
    expect((await findSessionByTokenHash(sha256(token)))?.amr).toEqual([]);
    expect(await findSessionByTokenHash(sha256(randomToken(32)))).toBeNull();
  });

  it('sees the user disabled after the session started, and the session then ends', async () => {
    const user = await newUser();
    const { token } = await createSession(user.id, ['pwd'], testContext());
    await database.sql('UPDATE users SET disabled_at = now() WHERE id = $1', [user.id]);
    expect((await findSessionByTokenHash(sha256(token)))?.user.disabledAt).toBeInstanceOf(Date);
    expect(await validateSessionToken(token, testContext())).toBeNull();
    expect(await findSessionByTokenHash(sha256(token))).toBeNull();
  });
});

describe('a pending authorization request (insert, read, consume)', () => {
  it('stores the request as JSON with the caller\'s clock, reads it until it expires and gives it to one consumer only', async () => {
    const client = await newClient();
    const idHash = sha256(randomToken(32));
    const now = new Date('2026-06-01T10:00:00.456Z');
    const params = { clientId: client.id, scopes: ['openid'], state: 'a "quoted" state', nested: { maxAge: 0 } };
    await insertAuthorizationRequest({ idHash, clientId: client.id, params, createdAt: now, expiresAt: minutes(now, 10) });

    expect(await findAuthorizationRequest(idHash, now)).toEqual({ clientId: client.id, params, createdAt: now, expiresAt: minutes(now, 10) });
    expect(await findAuthorizationRequest(idHash, minutes(now, 10))).toBeNull();
    const [first, second] = await Promise.all([consumeAuthorizationRequest(idHash, now), consumeAuthorizationRequest(idHash, now)]);
    expect([first, second].filter((row) => row !== null)).toEqual([{ clientId: client.id, params, createdAt: now, expiresAt: minutes(now, 10) }]);
    expect(await findAuthorizationRequest(idHash, now)).toBeNull();
  });

  it('never hands out an expired request', async () => {
    const client = await newClient();
    const idHash = sha256(randomToken(32));
    const now = new Date();
    await insertAuthorizationRequest({ idHash, clientId: client.id, params: {}, createdAt: now, expiresAt: minutes(now, 1) });
    expect(await consumeAuthorizationRequest(idHash, minutes(now, 2))).toBeNull();
  });
});

describe('a grant and its code (one statement)', () => {
  const grantFor = (clientId: string, userId: string, claims: unknown, now: Date) => ({
    clientId,
    userId,
    sessionId: null,
    scopes: ['openid', 'profile'],
    authTime: now,
    amr: ['pwd', 'otp'],
    acr: null,
    nonce: 'n-0S6_WzA2Mj',
    claims,
    resources: ['https://api.example.test/'],
    createdAt: now,
    expiresAt: minutes(now, 60),
  });
  const codeFor = (now: Date) => ({
    codeHash: sha256(randomToken(32)),
    redirectUri: REDIRECT_URI,
    codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    codeChallengeMethod: 'S256',
    expiresAt: minutes(now, 1),
  });

  it('stores both, and the code finds its grant with every field as given; null claims stay SQL NULL', async () => {
    const client = await newClient();
    const user = await newUser();
    const now = new Date('2026-06-01T10:00:00.789Z');
    const claims = { userinfo: { email: { essential: true } }, id_token: { auth_time: null } };
    for (const given of [claims, null]) {
      const code = codeFor(now);
      const grantId = await insertGrantWithCode(grantFor(client.id, user.id, given, now), code);
      const found = await findAuthorizationCode(code.codeHash);
      expect(found).toMatchObject({
        grantId,
        redirectUri: REDIRECT_URI,
        codeChallenge: code.codeChallenge,
        codeChallengeMethod: 'S256',
        expiresAt: code.expiresAt,
        consumedAt: null,
        grant: { id: grantId, clientId: client.id, userId: user.id, scopes: ['openid', 'profile'], amr: ['pwd', 'otp'], nonce: 'n-0S6_WzA2Mj', claims: given, resources: ['https://api.example.test/'], authTime: now },
      });
      const [row] = await database.sql<{ claims_is_null: boolean }>('SELECT claims IS NULL AS claims_is_null FROM grants WHERE id = $1', [grantId]);
      expect(row!.claims_is_null).toBe(given === null);
    }
  });

  it('writes neither when the code cannot be stored', async () => {
    const client = await newClient();
    const user = await newUser();
    const now = new Date();
    const code = codeFor(now);
    await insertGrantWithCode(grantFor(client.id, user.id, null, now), code);
    const before = await database.sql<{ count: string }>('SELECT count(*)::text AS count FROM grants WHERE user_id = $1', [user.id]);
    // The same code hash again: the code's primary key refuses it, and the grant goes with it.
    await expect(insertGrantWithCode(grantFor(client.id, user.id, null, now), code)).rejects.toThrow();
    expect(await database.sql('SELECT count(*)::text AS count FROM grants WHERE user_id = $1', [user.id])).toEqual(before);
  });
});

describe('where a user signed in lately (one statement)', () => {
  it('lists sign-in events and sessions before the cut, newest first, at most `limit` of each', async () => {
    const user = await newUser();
    const now = new Date();
    await createSession(user.id, ['pwd'], testContext({ ip: '192.0.2.1', userAgent: 'Old/1.0' }), minutes(now, -30));
    await createSession(user.id, ['pwd'], testContext({ ip: '192.0.2.2', userAgent: 'Newer/1.0' }), minutes(now, -20));
    await createSession(user.id, ['pwd'], testContext({ ip: '192.0.2.3', userAgent: 'Current/1.0' }), now);
    const places = await recentSignInPlaces(user.id, minutes(now, -60), minutes(now, -1), 1);
    // The account's creation (a user.created event, made just now) is after the cut; of the two
    // earlier sessions only the newest is kept.
    expect(places).toEqual([{ ip: '192.0.2.2', userAgent: 'Newer/1.0' }]);
    expect(await recentSignInPlaces(user.id, minutes(now, -60), minutes(now, 1))).toEqual(
      expect.arrayContaining([{ ip: '192.0.2.3', userAgent: 'Current/1.0' }, { ip: '192.0.2.1', userAgent: 'Old/1.0' }]),
    );
  });
});
