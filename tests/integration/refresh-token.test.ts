import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../lib/crypto/hash';
import { invalidateClientCache } from '../../lib/oauth/clients/cache';
import type { TestDatabase } from '../support/database';
import { introspect, newClient, newUser, openOAuthTestDatabase, refresh, signIn, type TestClient } from './token-endpoint.helpers';

let database: TestDatabase;
let app: TestClient;
let user: Awaited<ReturnType<typeof newUser>>;
beforeAll(async () => {
  database = await openOAuthTestDatabase();
  // Idle 10 minutes, absolute 1 hour: short enough to travel past with `now` arguments.
  app = await newClient({ refreshTokenIdleTtl: 600, refreshTokenMaxTtl: 3600 });
  user = await newUser();
});
afterAll(() => database.close());

const MINUTE = 60_000;
const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

async function tokenRow(refreshToken: string) {
  const [row] = await database.sql('SELECT * FROM refresh_tokens WHERE token_hash = $1', [Buffer.from(sha256(refreshToken))]);
  return row!;
}

describe('refresh_token grant', () => {
  it('rotates: a new refresh token, access token and ID token; the old refresh token is marked rotated', async () => {
    const start = new Date();
    const sessionId = randomUUID();
    const first = await signIn(app, user, { sessionId }, start);
    const later = new Date(start.getTime() + 5 * MINUTE);
    const response = await refresh(app, first.refresh_token!, later);

    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'openid profile email offline_access' });
    expect(response.body.refresh_token).toBeDefined();
    expect(response.body.refresh_token).not.toBe(first.refresh_token);
    expect(Buffer.from(response.body.refresh_token!, 'base64url')).toHaveLength(32);

    const access = decodeJwt(response.body.access_token);
    expect(access).toMatchObject({ sub: user.id, client_id: app.client.id, iat: seconds(later), gid: decodeJwt(first.access_token).gid });
    // OIDC Core §12.2: same iss, sub, aud and auth_time; new iat; no nonce.
    const before = decodeJwt(first.id_token!);
    const after = decodeJwt(response.body.id_token!);
    expect(after).toMatchObject({ iss: before.iss, sub: before.sub, aud: before.aud, auth_time: before.auth_time, sid: sessionId });
    expect(after.iat).toBe(seconds(later));
    expect(after).not.toHaveProperty('nonce');
    expect(after.at_hash).toBeDefined();

    const old = await tokenRow(first.refresh_token!);
    expect(old.rotated_at.getTime()).toBe(later.getTime());
    const successor = await tokenRow(response.body.refresh_token!);
    expect(successor).toMatchObject({ grant_id: old.grant_id, rotated_at: null, revoked_at: null, scopes: old.scopes });
    expect(successor.absolute_expires_at.getTime()).toBe(old.absolute_expires_at.getTime());
    expect(successor.idle_expires_at.getTime()).toBe(later.getTime() + 10 * MINUTE);

    // The successor works in turn.
    expect((await refresh(app, response.body.refresh_token!, new Date(later.getTime() + MINUTE))).status).toBe(200);
  });

  it('narrows the scope of the new access token on request, keeping the refresh token’s scope', async () => {
    const first = await signIn(app, user);
    const narrowed = await refresh(app, first.refresh_token!, undefined, { scope: 'profile' });
    expect(narrowed.status).toBe(200);
    expect(narrowed.body.scope).toBe('profile');
    expect(decodeJwt(narrowed.body.access_token).scope).toBe('profile');
    expect(narrowed.body.id_token).toBeUndefined();
    expect((await tokenRow(narrowed.body.refresh_token!)).scopes).toEqual(['openid', 'profile', 'email', 'offline_access']);

    // Narrowing is per request: the full original scope can be asked for again (RFC 6749 §6).
    const again = await refresh(app, narrowed.body.refresh_token!, undefined, { scope: 'openid email' });
    expect(again.status).toBe(200);
    expect(again.body.scope).toBe('openid email');
    expect(again.body.id_token).toBeDefined();
  });

  it.each([['openid profile email offline_access address'], ['admin'], ['openid phone']])(
    'refuses to widen the scope (%s) with invalid_scope, leaving the token usable',
    async (scope) => {
      const first = await signIn(app, user, { scopes: ['openid', 'profile', 'email', 'offline_access'] });
      const response = await refresh(app, first.refresh_token!, undefined, { scope });
      expect(response.status).toBe(400);
      expect(response.body.error).toBe('invalid_scope');
      expect((await refresh(app, first.refresh_token!)).status).toBe(200);
    },
  );

  it('stops issuing a scope the client has since lost', async () => {
    const shrinking = await newClient();
    const first = await signIn(shrinking, user);
    await database.sql("UPDATE oauth_clients SET scopes = ARRAY['openid','profile','offline_access'] WHERE id = $1", [shrinking.client.id]);
    invalidateClientCache();
    const response = await refresh(shrinking, first.refresh_token!);
    expect(response.status).toBe(200);
    expect(response.body.scope).toBe('openid profile offline_access');
    expect(decodeJwt(response.body.access_token).scope).toBe('openid profile offline_access');
  });

  it('refuses a scope the grant did not include even when the client has it', async () => {
    const first = await signIn(app, user, { scopes: ['openid', 'offline_access'] });
    const response = await refresh(app, first.refresh_token!, undefined, { scope: 'openid email' });
    expect(response.body.error).toBe('invalid_scope');
  });

  it('expires after the idle lifetime without use', async () => {
    const start = new Date();
    const first = await signIn(app, user, {}, start);
    const response = await refresh(app, first.refresh_token!, new Date(start.getTime() + 10 * MINUTE));
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('invalid_grant');
    expect((await refresh(app, first.refresh_token!, new Date(start.getTime() + 9 * MINUTE))).status).toBe(200);
  });

  it('expires at the absolute lifetime however often it is used', async () => {
    const start = new Date();
    let current = (await signIn(app, user, {}, start)).refresh_token!;
    for (let minute = 9; minute < 60; minute += 9) {
      const response = await refresh(app, current, new Date(start.getTime() + minute * MINUTE));
      expect(response.status).toBe(200);
      current = response.body.refresh_token!;
    }
    const successor = await tokenRow(current);
    expect(successor.idle_expires_at.getTime()).toBe(start.getTime() + 60 * MINUTE);
    const response = await refresh(app, current, new Date(start.getTime() + 60 * MINUTE));
    expect(response.body.error).toBe('invalid_grant');
  });

  it("refuses another client's refresh token, an unknown one, and a missing one", async () => {
    const other = await newClient();
    const first = await signIn(app, user);
    const stolen = await refresh(other, first.refresh_token!);
    expect(stolen.status).toBe(400);
    expect(stolen.body.error).toBe('invalid_grant');
    // Not revoked by another client's attempt.
    expect((await introspect(app, first.refresh_token!)).body.active).toBe(true);

    expect((await refresh(app, 'x'.repeat(43))).body.error).toBe('invalid_grant');
    const missing = await refresh(app, '');
    expect(missing.status).toBe(400);
    expect(missing.body.error).toBe('invalid_request');
  });

  it('refuses the refresh token of a disabled user', async () => {
    const disabled = await newUser();
    const first = await signIn(app, disabled);
    await database.sql('UPDATE users SET disabled_at = now() WHERE id = $1', [disabled.id]);
    expect((await refresh(app, first.refresh_token!)).body.error).toBe('invalid_grant');
  });
});
