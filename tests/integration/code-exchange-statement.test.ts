/**
 * The common code exchange in one statement (consumeIfExchangeable, docs/decisions.md "Refresh
 * rotation and code exchange in one statement"): it consumes a code only when every check of the
 * authorization_code grant would pass, and when one would not it writes nothing, so the grant's
 * long way can look the code up and answer (invalid_grant, replay detection, invalid_target).
 * Run on the embedded database and on PostgreSQL.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../lib/crypto/hash';
import { randomToken } from '../../lib/crypto/random';
import { consumeIfExchangeable, type ExchangeConditions } from '../../lib/db/grants';
import { MAX_TOKEN_TTL_SECONDS } from '../../lib/oauth/tokens/lifetimes';
import type { TestDatabase } from '../support/database';
import { authorize, exchange, newClient, newUser, openOAuthTestDatabase, pkcePair, REDIRECT_URI, type IssuedCode, type TestClient } from './token-endpoint.helpers';

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

const challengeOf = (verifier: string) => Buffer.from(sha256(verifier)).toString('base64url');

function conditions(issued: IssuedCode, now: Date, overrides: Partial<ExchangeConditions> = {}): ExchangeConditions {
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

const newRefreshToken = () => {
  const value = randomToken(32);
  return { value, row: { id: randomUUID(), tokenHash: sha256(value) } };
};

async function codeRow(code: string) {
  const [row] = await database.sql('SELECT * FROM authorization_codes WHERE code_hash = $1', [Buffer.from(sha256(code))]);
  return row!;
}

async function refreshTokens(grantId: string) {
  return database.sql('SELECT * FROM refresh_tokens WHERE grant_id = $1', [grantId]);
}

describe('consumeIfExchangeable: the common code exchange in one statement', () => {
  it('consumes an exchangeable code and stores its refresh token, returning the grant', async () => {
    const now = new Date();
    const issued = await authorize(app, user, { resources: [ORDERS] }, now);
    const refresh = newRefreshToken();

    const exchanged = await consumeIfExchangeable(sha256(issued.code), refresh.row, conditions(issued, now, { requestedResources: [ORDERS] }), now);

    const code = await codeRow(issued.code);
    expect(exchanged).toMatchObject({
      refreshTokenIssued: true,
      grant: { id: code.grant_id, clientId: app.client.id, userId: user.id, resources: [ORDERS], nonce: 'n-0S6_WzA2Mj', revokedAt: null },
    });
    expect(code.consumed_at.getTime()).toBe(now.getTime());
    const [stored] = await refreshTokens(code.grant_id);
    expect(stored).toMatchObject({ id: refresh.row.id, scopes: ['openid', 'profile', 'email', 'offline_access'], rotated_at: null });
    expect(Buffer.from(stored!.token_hash)).toEqual(Buffer.from(refresh.row.tokenHash));
    // refreshTokenLifetime's bounds: the client's hour, within the grant's life minus a day.
    expect(stored!.absolute_expires_at.getTime()).toBe(now.getTime() + 60 * MINUTE);
    expect(stored!.idle_expires_at.getTime()).toBe(now.getTime() + 10 * MINUTE);
  });

  it('keeps a refresh token within the grant’s life minus one access-token lifetime', async () => {
    const now = new Date();
    const issued = await authorize(app, user, {}, now);
    const { grant_id: grantId } = await codeRow(issued.code);
    const grantEnds = new Date(now.getTime() + MAX_TOKEN_TTL_SECONDS * 1000 + 30 * MINUTE);
    await database.sql('UPDATE grants SET expires_at = $2 WHERE id = $1', [grantId, grantEnds]);

    const exchanged = await consumeIfExchangeable(sha256(issued.code), newRefreshToken().row, conditions(issued, now), now);
    expect(exchanged?.refreshTokenIssued).toBe(true);
    const [stored] = await refreshTokens(grantId);
    expect(stored!.absolute_expires_at.getTime()).toBe(now.getTime() + 30 * MINUTE);
    expect(stored!.idle_expires_at.getTime()).toBe(now.getTime() + 10 * MINUTE);
  });

  it('stores no refresh token without offline_access, or when none is given', async () => {
    const now = new Date();
    const online = await authorize(app, user, { scopes: ['openid', 'profile'] }, now);
    const withoutOffline = await consumeIfExchangeable(sha256(online.code), newRefreshToken().row, conditions(online, now), now);
    expect(withoutOffline?.refreshTokenIssued).toBe(false);
    expect(await refreshTokens((await codeRow(online.code)).grant_id)).toHaveLength(0);

    const offline = await authorize(app, user, {}, now);
    const noneGiven = await consumeIfExchangeable(sha256(offline.code), null, conditions(offline, now), now);
    expect(noneGiven?.refreshTokenIssued).toBe(false);
    expect(await refreshTokens((await codeRow(offline.code)).grant_id)).toHaveLength(0);
  });

  it('exchanges a code without a challenge only when no verifier is presented', async () => {
    const now = new Date();
    const plain = await authorize(app, user, { codeChallenge: null, codeChallengeMethod: null }, now);
    expect(await consumeIfExchangeable(sha256(plain.code), null, conditions(plain, now), now)).toBeNull();
    expect(await consumeIfExchangeable(sha256(plain.code), null, conditions(plain, now, { codeChallenge: null }), now)).not.toBeNull();
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

    expect(await consumeIfExchangeable(sha256(issued.code), newRefreshToken().row, conditions(issued, now, overrides), now)).toBeNull();

    expect(await codeRow(issued.code)).toEqual(arranged);
    expect(await refreshTokens(grantId)).toHaveLength(0);
  });

  it('lets exactly one of 20 simultaneous exchanges of one code win', async () => {
    const now = new Date();
    const issued = await authorize(app, user, {}, now);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => consumeIfExchangeable(sha256(issued.code), newRefreshToken().row, conditions(issued, now), now)),
    );
    expect(results.filter((result) => result !== null)).toHaveLength(1);
    expect(await refreshTokens((await codeRow(issued.code)).grant_id)).toHaveLength(1);
  });
});

describe('the authorization_code grant around it', () => {
  it('answers a refused code the long way: a wrong verifier leaves the code usable, a replay revokes', async () => {
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
