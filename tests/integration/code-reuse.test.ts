/**
 * Threat: a stolen or replayed authorization code (RFC 6749 §4.1.2, §10.5; RFC 9700 §4.5).
 * A code is single-use; its second presentation fails with invalid_grant and revokes every
 * token the first exchange produced; concurrent exchanges cannot both win.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../lib/crypto/hash';
import type { TestDatabase } from '../support/database';
import {
  authorize,
  exchange,
  introspect,
  newClient,
  newUser,
  openOAuthTestDatabase,
  refresh,
  userinfo,
  type TestClient,
} from './token-endpoint.helpers';

let database: TestDatabase;
let app: TestClient;
let user: Awaited<ReturnType<typeof newUser>>;
beforeAll(async () => {
  database = await openOAuthTestDatabase();
  app = await newClient();
  user = await newUser();
});
afterAll(() => database.close());

async function grantOf(code: string) {
  const [row] = await database.sql<{ id: string; revoked_at: Date | null; revoked_reason: string | null }>(
    'SELECT g.id, g.revoked_at, g.revoked_reason FROM grants g JOIN authorization_codes c ON c.grant_id = g.id WHERE c.code_hash = $1',
    [Buffer.from(sha256(code))],
  );
  return row!;
}

describe('authorization code reuse', () => {
  it('fails the second exchange with invalid_grant and revokes the access and refresh tokens of the first', async () => {
    const issued = await authorize(app, user);
    const first = await exchange(app, issued);
    expect(first.status).toBe(200);
    const { access_token: accessToken, refresh_token: refreshToken } = first.body;
    expect((await introspect(app, accessToken)).body.active).toBe(true);
    expect((await userinfo(accessToken)).status).toBe(200);

    const second = await exchange(app, issued);
    expect(second.status).toBe(400);
    expect(second.body.error).toBe('invalid_grant');
    expect(second.body).not.toHaveProperty('access_token');

    expect(await introspect(app, accessToken)).toMatchObject({ status: 200, body: { active: false } });
    expect(await introspect(app, refreshToken!)).toMatchObject({ status: 200, body: { active: false } });
    const info = await userinfo(accessToken);
    expect(info.status).toBe(401);
    expect(info.body.error).toBe('invalid_token');
    expect(info.headers.get('www-authenticate')).toMatch(/^Bearer realm="optare", error="invalid_token"/);
    const refreshed = await refresh(app, refreshToken!);
    expect(refreshed.status).toBe(400);
    expect(refreshed.body.error).toBe('invalid_grant');

    const grant = await grantOf(issued.code);
    expect(grant.revoked_at).not.toBeNull();
    expect(grant.revoked_reason).toBe('authorization_code_reused');
    const tokens = await database.sql('SELECT revoked_at FROM refresh_tokens WHERE grant_id = $1', [grant.id]);
    expect(tokens.every((row) => row.revoked_at !== null)).toBe(true);
    const events = await database.sql<{ type: string; outcome: string; reason: string | null }>(
      "SELECT type, outcome, details->>'reason' AS reason FROM audit_events WHERE subject = $1 ORDER BY seq",
      [grant.id],
    );
    expect(events).toEqual([
      { type: 'token.code_reused', outcome: 'failure', reason: null },
      { type: 'grant.revoked', outcome: 'success', reason: 'authorization_code_reused' },
    ]);
  });

  it('still detects the replay 30 seconds later, and after the code expired', async () => {
    const now = new Date();
    const issued = await authorize(app, user, {}, now);
    expect((await exchange(app, issued, now)).status).toBe(200);
    expect((await exchange(app, issued, new Date(now.getTime() + 30_000))).body.error).toBe('invalid_grant');
    expect((await grantOf(issued.code)).revoked_reason).toBe('authorization_code_reused');

    const late = await authorize(app, user, {}, now);
    const tokens = await exchange(app, late, now);
    expect((await exchange(app, late, new Date(now.getTime() + 120_000))).body.error).toBe('invalid_grant');
    expect((await grantOf(late.code)).revoked_at).not.toBeNull();
    expect((await introspect(app, tokens.body.access_token)).body.active).toBe(false);
  });

  it("does not let another client's replay revoke the grant", async () => {
    const other = await newClient();
    const issued = await authorize(app, user);
    const first = await exchange(app, issued);
    expect((await exchange(other, issued)).body.error).toBe('invalid_grant');
    expect((await grantOf(issued.code)).revoked_at).toBeNull();
    expect((await introspect(app, first.body.access_token)).body.active).toBe(true);
  });

  it('lets exactly one of 20 simultaneous exchanges of one code succeed', async () => {
    const issued = await authorize(app, user);
    const responses = await Promise.all(Array.from({ length: 20 }, () => exchange(app, issued)));
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 400)).toHaveLength(19);
    expect(responses.filter((response) => response.status === 400).every((response) => response.body.error === 'invalid_grant')).toBe(true);
    // The losers are replays: the grant, and with it the winner's tokens, are revoked.
    const grant = await grantOf(issued.code);
    expect(grant.revoked_reason).toBe('authorization_code_reused');
    const winner = responses.find((response) => response.status === 200)!;
    expect((await introspect(app, winner.body.access_token)).body.active).toBe(false);
    const refreshTokens = await database.sql('SELECT 1 FROM refresh_tokens WHERE grant_id = $1', [grant.id]);
    expect(refreshTokens.length).toBeLessThanOrEqual(1);
  });
});
