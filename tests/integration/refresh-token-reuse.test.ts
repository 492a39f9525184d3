/**
 * Threat: a stolen refresh token used by the attacker and the legitimate client (RFC 9700
 * §4.14.2). Rotation makes every token single-use; presenting a rotated token revokes the whole
 * family (the grant, its refresh tokens and its access tokens) and is audited. Concurrent
 * refreshes with one token never leave two valid families: the losers count as reuse, so the
 * family ends; a client must serialise its refreshes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../lib/crypto/hash';
import type { TestDatabase } from '../support/database';
import { introspect, newClient, newUser, openOAuthTestDatabase, refresh, signIn, userinfo, type TestClient } from './token-endpoint.helpers';

let database: TestDatabase;
let app: TestClient;
let user: Awaited<ReturnType<typeof newUser>>;
beforeAll(async () => {
  database = await openOAuthTestDatabase();
  app = await newClient();
  user = await newUser();
});
afterAll(() => database.close());

async function grantIdOf(refreshToken: string): Promise<string> {
  const [row] = await database.sql<{ grant_id: string }>('SELECT grant_id FROM refresh_tokens WHERE token_hash = $1', [
    Buffer.from(sha256(refreshToken)),
  ]);
  return row!.grant_id;
}

describe('refresh token reuse', () => {
  it('revokes the whole family when a rotated token is presented again, and audits it', async () => {
    const first = await signIn(app, user);
    const rotated = await refresh(app, first.refresh_token!);
    expect(rotated.status).toBe(200);
    const grantId = await grantIdOf(first.refresh_token!);

    // The attacker (or the client) replays the old token.
    const replay = await refresh(app, first.refresh_token!);
    expect(replay.status).toBe(400);
    expect(replay.body.error).toBe('invalid_grant');

    // Everything issued from the grant is dead: the successor, both access tokens.
    const successor = await refresh(app, rotated.body.refresh_token!);
    expect(successor.body.error).toBe('invalid_grant');
    expect((await introspect(app, rotated.body.refresh_token!)).body.active).toBe(false);
    for (const accessToken of [first.access_token, rotated.body.access_token]) {
      expect((await introspect(app, accessToken)).body.active).toBe(false);
      expect((await userinfo(accessToken)).body.error).toBe('invalid_token');
    }

    const [grant] = await database.sql('SELECT revoked_at, revoked_reason FROM grants WHERE id = $1', [grantId]);
    expect(grant).toMatchObject({ revoked_reason: 'refresh_token_reused' });
    const live = await database.sql('SELECT 1 FROM refresh_tokens WHERE grant_id = $1 AND revoked_at IS NULL', [grantId]);
    expect(live).toHaveLength(0);
    const events = await database.sql<{ type: string; client: string | null }>(
      "SELECT type, details->>'clientId' AS client FROM audit_events WHERE subject = $1 ORDER BY seq",
      [grantId],
    );
    expect(events).toEqual([
      { type: 'token.refresh_reused', client: app.client.id },
      { type: 'grant.revoked', client: null },
    ]);
  });

  it('lets at most one of 20 simultaneous refreshes succeed and never leaves two valid refresh tokens', async () => {
    const first = await signIn(app, user);
    const grantId = await grantIdOf(first.refresh_token!);
    const responses = await Promise.all(Array.from({ length: 20 }, () => refresh(app, first.refresh_token!)));
    const successes = responses.filter((response) => response.status === 200);
    expect(successes.length).toBeLessThanOrEqual(1);
    expect(responses.filter((response) => response.status === 400).every((response) => response.body.error === 'invalid_grant')).toBe(true);

    // Every refresh token the race produced (and the original): at most one still works.
    const candidates = [first.refresh_token!, ...successes.map((response) => response.body.refresh_token!)];
    const active = [];
    for (const candidate of candidates) {
      if ((await introspect(app, candidate)).body.active === true) active.push(candidate);
    }
    expect(active.length).toBeLessThanOrEqual(1);
    const issued = await database.sql('SELECT 1 FROM refresh_tokens WHERE grant_id = $1', [grantId]);
    expect(issued.length).toBeLessThanOrEqual(2);
    // With 19 losers the race is reuse: the family is revoked (documented choice, RFC 9700).
    const [grant] = await database.sql('SELECT revoked_reason FROM grants WHERE id = $1', [grantId]);
    expect(grant!.revoked_reason).toBe('refresh_token_reused');
    expect(active).toHaveLength(0);
  });

  it('does not count an idle-expired token as reuse', async () => {
    const start = new Date();
    const first = await signIn(app, user, {}, start);
    const grantId = await grantIdOf(first.refresh_token!);
    const expired = await refresh(app, first.refresh_token!, new Date(start.getTime() + app.client.refreshTokenIdleTtl * 1000 + 1000));
    expect(expired.body.error).toBe('invalid_grant');
    const [grant] = await database.sql('SELECT revoked_at FROM grants WHERE id = $1', [grantId]);
    expect(grant!.revoked_at).toBeNull();
  });
});
