/**
 * Refresh rotation and code exchange in one statement each (rotateIfRenewable and
 * consumeIfExchangeable, docs/decisions.md "Refresh rotation and code exchange in one
 * statement"): each writes only when every check of its grant would pass, and when one would not
 * it writes nothing, so the grant can look the token or code up and give the precise answer
 * (invalid_grant, reuse and replay detection, invalid_scope, invalid_target). Run on the embedded
 * database and on PostgreSQL.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../lib/crypto/hash';
import { randomToken } from '../../lib/crypto/random';
import { consumeIfExchangeable, rotateIfRenewable, type ExchangeConditions, type RenewalConditions } from '../../lib/db/grants';
import { MAX_TOKEN_TTL_SECONDS } from '../../lib/oauth/tokens/lifetimes';
import type { TestDatabase } from '../support/database';
import {
  authorize,
  exchange,
  newClient,
  newUser,
  openOAuthTestDatabase,
  pkcePair,
  REDIRECT_URI,
  refresh,
  signIn,
  type IssuedCode,
  type TestClient,
} from './token-endpoint.helpers';

const ORDERS = 'https://orders.example.test/';
const BILLING = 'https://billing.example.test/api';
const OTHER = 'https://other.example.test/';
const MINUTE = 60_000;

let database: TestDatabase;
let app: TestClient;
let user: Awaited<ReturnType<typeof newUser>>;
beforeAll(async () => {
  database = await openOAuthTestDatabase();
  // Idle 10 minutes, absolute 1 hour; two registered APIs.
  app = await newClient({ refreshTokenIdleTtl: 600, refreshTokenMaxTtl: 3600, resources: [ORDERS, BILLING] });
  user = await newUser();
});
afterAll(() => database.close());

const newRefreshToken = () => {
  const value = randomToken(32);
  return { value, row: { id: randomUUID(), tokenHash: sha256(value) } };
};

function renewal(now: Date, overrides: Partial<RenewalConditions> = {}): RenewalConditions {
  return {
    clientId: app.client.id,
    clientResources: [ORDERS, BILLING],
    requestedResources: [],
    requestedScopes: [],
    idleExpiresAt: new Date(now.getTime() + 10 * MINUTE),
    ...overrides,
  };
}

async function tokenRow(refreshToken: string) {
  const [row] = await database.sql('SELECT * FROM refresh_tokens WHERE token_hash = $1', [Buffer.from(sha256(refreshToken))]);
  return row!;
}

async function familySize(grantId: string) {
  const [row] = await database.sql('SELECT count(*)::int AS n FROM refresh_tokens WHERE grant_id = $1', [grantId]);
  return row!.n as number;
}

describe('rotateIfRenewable: refresh rotation in one statement', () => {
  it('rotates a renewable token and inserts its successor, returning the token with its grant', async () => {
    const start = new Date();
    const first = await signIn(app, user, { resources: [ORDERS] }, start);
    const presented = await tokenRow(first.refresh_token!);
    const later = new Date(start.getTime() + 5 * MINUTE);
    const next = newRefreshToken();
    // An idle expiry past the absolute one, which the successor's must not exceed.
    const idleExpiresAt = new Date(presented.absolute_expires_at.getTime() + 60 * MINUTE);

    const rotated = await rotateIfRenewable(sha256(first.refresh_token!), next.row, renewal(later, { requestedResources: [ORDERS], idleExpiresAt }), later);

    expect(rotated).toMatchObject({
      id: presented.id,
      scopes: presented.scopes,
      grant: { id: presented.grant_id, clientId: app.client.id, userId: user.id, resources: [ORDERS], revokedAt: null },
    });
    expect((await tokenRow(first.refresh_token!)).rotated_at.getTime()).toBe(later.getTime());
    const inserted = await tokenRow(next.value);
    expect(inserted).toMatchObject({ id: next.row.id, grant_id: presented.grant_id, scopes: presented.scopes, rotated_at: null, revoked_at: null });
    expect(inserted.created_at.getTime()).toBe(later.getTime());
    expect(inserted.absolute_expires_at.getTime()).toBe(presented.absolute_expires_at.getTime());
    expect(inserted.idle_expires_at.getTime()).toBe(presented.absolute_expires_at.getTime());

    // The successor is a working refresh token through the endpoint, and its successor's idle
    // expiry is the client's 10 minutes on, which comes before the absolute expiry.
    const after = new Date(later.getTime() + MINUTE);
    const renewed = await refresh(app, next.value, after);
    expect(renewed.status).toBe(200);
    expect((await tokenRow(renewed.body.refresh_token!)).idle_expires_at.getTime()).toBe(after.getTime() + 10 * MINUTE);
  });

  const refusals: [string, (token: { refreshToken: string; grantId: string; now: Date }) => Promise<Partial<RenewalConditions> | void>][] = [
    ['asked for a scope beyond its own', async () => ({ requestedScopes: ['openid', 'address'] })],
    ['issued to another client', async () => ({ clientId: (await newClient()).client.id })],
    ['already rotated', async ({ refreshToken, now }) => void (await database.sql('UPDATE refresh_tokens SET rotated_at = $2 WHERE token_hash = $1', [Buffer.from(sha256(refreshToken)), now]))],
    ['revoked', async ({ refreshToken, now }) => void (await database.sql('UPDATE refresh_tokens SET revoked_at = $2 WHERE token_hash = $1', [Buffer.from(sha256(refreshToken)), now]))],
    ['past its idle expiry', async ({ refreshToken }) => void (await database.sql("UPDATE refresh_tokens SET idle_expires_at = now() - interval '1 second' WHERE token_hash = $1", [Buffer.from(sha256(refreshToken))]))],
    ['past its absolute expiry', async ({ refreshToken }) => void (await database.sql("UPDATE refresh_tokens SET absolute_expires_at = now() - interval '1 second' WHERE token_hash = $1", [Buffer.from(sha256(refreshToken))]))],
    ['of a revoked grant', async ({ grantId }) => void (await database.sql('UPDATE grants SET revoked_at = now() WHERE id = $1', [grantId]))],
    ['of an expired grant', async ({ grantId }) => void (await database.sql("UPDATE grants SET expires_at = now() - interval '1 second' WHERE id = $1", [grantId]))],
    ['of a disabled user', async ({ grantId }) => void (await database.sql('UPDATE users SET disabled_at = now() WHERE id = (SELECT user_id FROM grants WHERE id = $1)', [grantId]))],
    ['whose granted resources the client no longer has', async () => ({ clientResources: [OTHER] })],
    ['asked for a resource the grant does not have', async () => ({ requestedResources: [OTHER], clientResources: [ORDERS, BILLING, OTHER] })],
    ['asked for a granted resource the client no longer has', async () => ({ requestedResources: [ORDERS], clientResources: [BILLING] })],
  ];

  it.each(refusals)('refuses a token %s and writes nothing', async (_, arrange) => {
    const owner = await newUser();
    const now = new Date();
    const first = await signIn(app, owner, { resources: [ORDERS, BILLING] }, new Date(now.getTime() - MINUTE));
    const before = await tokenRow(first.refresh_token!);
    const overrides = (await arrange({ refreshToken: first.refresh_token!, grantId: before.grant_id, now })) ?? {};
    const arranged = await tokenRow(first.refresh_token!);

    const next = newRefreshToken();
    expect(await rotateIfRenewable(sha256(first.refresh_token!), next.row, renewal(now, overrides), now)).toBeNull();

    expect(await tokenRow(first.refresh_token!)).toEqual(arranged);
    expect(await familySize(before.grant_id)).toBe(1);
  });

  it('refuses an unknown token and writes nothing', async () => {
    const next = newRefreshToken();
    expect(await rotateIfRenewable(sha256(randomToken(32)), next.row, renewal(new Date()), new Date())).toBeNull();
    expect(await database.sql('SELECT 1 FROM refresh_tokens WHERE id = $1', [next.row.id])).toHaveLength(0);
  });

  it('lets exactly one of 20 simultaneous rotations of one token win', async () => {
    const first = await signIn(app, user);
    const now = new Date();
    const results = await Promise.all(
      Array.from({ length: 20 }, () => rotateIfRenewable(sha256(first.refresh_token!), newRefreshToken().row, renewal(now), now)),
    );
    expect(results.filter((result) => result !== null)).toHaveLength(1);
    expect(await familySize((await tokenRow(first.refresh_token!)).grant_id)).toBe(2);
  });
});

describe('the refresh grant around it', () => {
  it('answers a refused token after looking it up: a replayed one revokes its family as before', async () => {
    const first = await signIn(app, user);
    const rotated = await refresh(app, first.refresh_token!);
    expect(rotated.status).toBe(200);
    const replay = await refresh(app, first.refresh_token!);
    expect(replay.body.error).toBe('invalid_grant');
    expect(await refresh(app, rotated.body.refresh_token!)).toMatchObject({ body: { error: 'invalid_grant' } });
  });

  it('narrows with `scope` and names resources, refusing what exceeds the grant without rotating', async () => {
    const first = await signIn(app, user, { resources: [ORDERS, BILLING] });
    const narrowed = await refresh(app, first.refresh_token!, undefined, { scope: 'openid', resource: BILLING });
    expect(narrowed.status).toBe(200);
    expect(narrowed.body.scope).toBe('openid');
    const named = await refresh(app, narrowed.body.refresh_token!, undefined, { resource: ORDERS });
    expect(named.status).toBe(200);
    expect(named.body.scope).toBe('openid profile email offline_access');
    const refused = await refresh(app, named.body.refresh_token!, undefined, { resource: 'https://evil.example.test/' });
    expect(refused.body.error).toBe('invalid_target');
    // The refusal rotated nothing: the token still works.
    expect((await refresh(app, named.body.refresh_token!)).status).toBe(200);
  });
});

const challengeOf = (verifier: string) => Buffer.from(sha256(verifier)).toString('base64url');

function exchangeConditions(issued: IssuedCode, now: Date, overrides: Partial<ExchangeConditions> = {}): ExchangeConditions {
  return {
    clientId: app.client.id,
    clientResources: [ORDERS, BILLING],
    requestedResources: [],
    idleExpiresAt: new Date(now.getTime() + 10 * MINUTE),
    redirectUri: REDIRECT_URI,
    codeChallenge: challengeOf(issued.verifier),
    absoluteExpiresAt: new Date(now.getTime() + 60 * MINUTE),
    grantMarginSeconds: MAX_TOKEN_TTL_SECONDS,
    ...overrides,
  };
}

async function codeRow(code: string) {
  const [row] = await database.sql('SELECT * FROM authorization_codes WHERE code_hash = $1', [Buffer.from(sha256(code))]);
  return row!;
}

async function refreshTokens(grantId: string) {
  return database.sql('SELECT * FROM refresh_tokens WHERE grant_id = $1', [grantId]);
}

describe('consumeIfExchangeable: the code exchange in one statement', () => {
  it('consumes an exchangeable code and stores its refresh token, returning the grant', async () => {
    const now = new Date();
    const issued = await authorize(app, user, { resources: [ORDERS] }, now);
    const refresh = newRefreshToken();

    const exchanged = await consumeIfExchangeable(sha256(issued.code), refresh.row, exchangeConditions(issued, now, { requestedResources: [ORDERS] }), now);

    const code = await codeRow(issued.code);
    expect(exchanged).toMatchObject({
      refreshTokenIssued: true,
      grant: { id: code.grant_id, clientId: app.client.id, userId: user.id, resources: [ORDERS], nonce: 'n-0S6_WzA2Mj', revokedAt: null },
    });
    expect(code.consumed_at.getTime()).toBe(now.getTime());
    const [stored] = await refreshTokens(code.grant_id);
    expect(stored).toMatchObject({ id: refresh.row.id, scopes: ['openid', 'profile', 'email', 'offline_access'], rotated_at: null });
    expect(Buffer.from(stored!.token_hash)).toEqual(Buffer.from(refresh.row.tokenHash));
    // The client's hour, within the grant's life minus a day; idle 10 minutes within that.
    expect(stored!.absolute_expires_at.getTime()).toBe(now.getTime() + 60 * MINUTE);
    expect(stored!.idle_expires_at.getTime()).toBe(now.getTime() + 10 * MINUTE);
  });

  it('keeps a refresh token within the grant’s life minus one access-token lifetime', async () => {
    const now = new Date();
    const issued = await authorize(app, user, {}, now);
    const { grant_id: grantId } = await codeRow(issued.code);
    const grantEnds = new Date(now.getTime() + MAX_TOKEN_TTL_SECONDS * 1000 + 30 * MINUTE);
    await database.sql('UPDATE grants SET expires_at = $2 WHERE id = $1', [grantId, grantEnds]);

    const exchanged = await consumeIfExchangeable(sha256(issued.code), newRefreshToken().row, exchangeConditions(issued, now), now);
    expect(exchanged?.refreshTokenIssued).toBe(true);
    const [stored] = await refreshTokens(grantId);
    expect(stored!.absolute_expires_at.getTime()).toBe(now.getTime() + 30 * MINUTE);
    expect(stored!.idle_expires_at.getTime()).toBe(now.getTime() + 10 * MINUTE);
  });

  it('stores no refresh token without offline_access, or when none is given', async () => {
    const now = new Date();
    const online = await authorize(app, user, { scopes: ['openid', 'profile'] }, now);
    const withoutOffline = await consumeIfExchangeable(sha256(online.code), newRefreshToken().row, exchangeConditions(online, now), now);
    expect(withoutOffline?.refreshTokenIssued).toBe(false);
    expect(await refreshTokens((await codeRow(online.code)).grant_id)).toHaveLength(0);

    const offline = await authorize(app, user, {}, now);
    const noneGiven = await consumeIfExchangeable(sha256(offline.code), null, exchangeConditions(offline, now), now);
    expect(noneGiven?.refreshTokenIssued).toBe(false);
    expect(await refreshTokens((await codeRow(offline.code)).grant_id)).toHaveLength(0);
  });

  it('exchanges a code without a challenge only when no verifier is presented', async () => {
    const now = new Date();
    const plain = await authorize(app, user, { codeChallenge: null, codeChallengeMethod: null }, now);
    expect(await consumeIfExchangeable(sha256(plain.code), null, exchangeConditions(plain, now), now)).toBeNull();
    expect(await consumeIfExchangeable(sha256(plain.code), null, exchangeConditions(plain, now, { codeChallenge: null }), now)).not.toBeNull();
  });

  const refusals: [string, (code: { issued: IssuedCode; grantId: string; now: Date }) => Promise<Partial<ExchangeConditions> | void>][] = [
    ['presented by another client', async () => ({ clientId: (await newClient()).client.id })],
    ['with another redirect URI', async () => ({ redirectUri: `${REDIRECT_URI}/` })],
    ['with another verifier', async () => ({ codeChallenge: pkcePair().challenge })],
    ['without a verifier when it has a challenge', async () => ({ codeChallenge: null })],
    ['already consumed', async ({ issued, now }) => void (await database.sql('UPDATE authorization_codes SET consumed_at = $2 WHERE code_hash = $1', [Buffer.from(sha256(issued.code)), now]))],
    ['past its expiry', async ({ issued }) => void (await database.sql("UPDATE authorization_codes SET expires_at = now() - interval '1 second' WHERE code_hash = $1", [Buffer.from(sha256(issued.code))]))],
    ['of a revoked grant', async ({ grantId }) => void (await database.sql('UPDATE grants SET revoked_at = now() WHERE id = $1', [grantId]))],
    ['of an expired grant', async ({ grantId }) => void (await database.sql("UPDATE grants SET expires_at = now() - interval '1 second' WHERE id = $1", [grantId]))],
    ['of a disabled user', async ({ grantId }) => void (await database.sql('UPDATE users SET disabled_at = now() WHERE id = (SELECT user_id FROM grants WHERE id = $1)', [grantId]))],
    ['whose granted resources the client no longer has', async () => ({ clientResources: [OTHER] })],
    ['asking for a resource the grant does not have', async () => ({ requestedResources: [OTHER], clientResources: [ORDERS, BILLING, OTHER] })],
    ['asking for a granted resource the client no longer has', async () => ({ requestedResources: [ORDERS], clientResources: [BILLING] })],
  ];

  it.each(refusals)('refuses a code %s and writes nothing', async (_, arrange) => {
    const owner = await newUser();
    const now = new Date();
    const issued = await authorize(app, owner, { resources: [ORDERS, BILLING] }, new Date(now.getTime() - 5_000));
    const { grant_id: grantId } = await codeRow(issued.code);
    const overrides = (await arrange({ issued, grantId, now })) ?? {};
    const arranged = await codeRow(issued.code);

    expect(await consumeIfExchangeable(sha256(issued.code), newRefreshToken().row, exchangeConditions(issued, now, overrides), now)).toBeNull();

    expect(await codeRow(issued.code)).toEqual(arranged);
    expect(await refreshTokens(grantId)).toHaveLength(0);
  });

  it('lets exactly one of 20 simultaneous exchanges of one code win', async () => {
    const now = new Date();
    const issued = await authorize(app, user, {}, now);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => consumeIfExchangeable(sha256(issued.code), newRefreshToken().row, exchangeConditions(issued, now), now)),
    );
    expect(results.filter((result) => result !== null)).toHaveLength(1);
    expect(await refreshTokens((await codeRow(issued.code)).grant_id)).toHaveLength(1);
  });
});

describe('the authorization_code grant around it', () => {
  it('answers a refused code after looking it up: a wrong verifier leaves the code usable, a replay revokes', async () => {
    const issued = await authorize(app, user);
    const wrong = await exchange(app, { ...issued, verifier: pkcePair().verifier });
    expect(wrong.body.error).toBe('invalid_grant');
    const first = await exchange(app, issued);
    expect(first.status).toBe(200);
    expect(first.body.refresh_token).toBeDefined();
    const replay = await exchange(app, issued);
    expect(replay.body.error).toBe('invalid_grant');
    expect((await refreshTokens((await codeRow(issued.code)).grant_id)).every((row) => row.revoked_at !== null)).toBe(true);
  });

  it('issues no refresh token to a client without the refresh_token grant', async () => {
    const noRefresh = await newClient({ grantTypes: ['authorization_code'] });
    const issued = await authorize(noRefresh, user);
    const response = await exchange(noRefresh, issued);
    expect(response.status).toBe(200);
    expect(response.body.refresh_token).toBeUndefined();
    expect(await refreshTokens((await codeRow(issued.code)).grant_id)).toHaveLength(0);
  });
});
