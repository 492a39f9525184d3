/**
 * The common refresh in one statement (rotateIfRenewable, docs/decisions.md "Refresh rotation in
 * one statement"): it rotates only when every check of the refresh grant would pass, and when one
 * would not it writes nothing, so the grant's long way can look the token up and give the precise
 * answer (invalid_grant, reuse detection, invalid_target). Run on the embedded database and on
 * PostgreSQL.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../lib/crypto/hash';
import { randomToken } from '../../lib/crypto/random';
import { rotateIfRenewable, type IssuanceConditions } from '../../lib/db/grants';
import type { TestDatabase } from '../support/database';
import { newClient, newUser, openOAuthTestDatabase, refresh, signIn, type TestClient } from './token-endpoint.helpers';

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

function conditions(now: Date, overrides: Partial<IssuanceConditions> = {}): IssuanceConditions {
  return {
    clientId: app.client.id,
    clientResources: [ORDERS, BILLING],
    requestedResources: [],
    idleExpiresAt: new Date(now.getTime() + 10 * MINUTE),
    ...overrides,
  };
}

const successor = () => {
  const value = randomToken(32);
  return { value, row: { id: randomUUID(), tokenHash: sha256(value) } };
};

async function tokenRow(refreshToken: string) {
  const [row] = await database.sql('SELECT * FROM refresh_tokens WHERE token_hash = $1', [Buffer.from(sha256(refreshToken))]);
  return row!;
}

async function familySize(grantId: string) {
  const [row] = await database.sql('SELECT count(*)::int AS n FROM refresh_tokens WHERE grant_id = $1', [grantId]);
  return row!.n as number;
}

describe('rotateIfRenewable: the common refresh in one statement', () => {
  it('rotates a renewable token and inserts its successor, returning the token with its grant', async () => {
    const start = new Date();
    const first = await signIn(app, user, { resources: [ORDERS] }, start);
    const presented = await tokenRow(first.refresh_token!);
    const later = new Date(start.getTime() + 5 * MINUTE);
    const next = successor();
    // An idle expiry past the absolute one, which the successor's must not exceed.
    const idleExpiresAt = new Date(presented.absolute_expires_at.getTime() + 60 * MINUTE);

    const rotated = await rotateIfRenewable(sha256(first.refresh_token!), next.row, conditions(later, { requestedResources: [ORDERS], idleExpiresAt }), later);

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

  const refusals: [string, (token: { refreshToken: string; grantId: string; now: Date }) => Promise<Partial<IssuanceConditions> | void>][] = [
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

    const next = successor();
    expect(await rotateIfRenewable(sha256(first.refresh_token!), next.row, conditions(now, overrides), now)).toBeNull();

    expect(await tokenRow(first.refresh_token!)).toEqual(arranged);
    expect(await familySize(before.grant_id)).toBe(1);
  });

  it('refuses an unknown token and writes nothing', async () => {
    const next = successor();
    expect(await rotateIfRenewable(sha256(randomToken(32)), next.row, conditions(new Date()), new Date())).toBeNull();
    expect(await database.sql('SELECT 1 FROM refresh_tokens WHERE id = $1', [next.row.id])).toHaveLength(0);
  });

  it('lets exactly one of 20 simultaneous rotations of one token win', async () => {
    const first = await signIn(app, user);
    const now = new Date();
    const results = await Promise.all(
      Array.from({ length: 20 }, () => rotateIfRenewable(sha256(first.refresh_token!), successor().row, conditions(now), now)),
    );
    expect(results.filter((result) => result !== null)).toHaveLength(1);
    expect(await familySize((await tokenRow(first.refresh_token!)).grant_id)).toBe(2);
  });
});

describe('the refresh grant around it', () => {
  it('answers a refused token the long way: a replayed one revokes its family as before', async () => {
    const first = await signIn(app, user);
    const rotated = await refresh(app, first.refresh_token!);
    expect(rotated.status).toBe(200);
    const replay = await refresh(app, first.refresh_token!);
    expect(replay.body.error).toBe('invalid_grant');
    expect(await refresh(app, rotated.body.refresh_token!)).toMatchObject({ body: { error: 'invalid_grant' } });
  });

  it('narrows with `scope` and names resources through the long way and the short one alike', async () => {
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
