import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revocationEndpoint } from '../../lib/oauth/endpoints/revocation';
import { deleteExpiredOAuthRows } from '../../lib/db/grants';
import type { TestDatabase } from '../support/database';
import {
  APP_ORIGIN,
  answer,
  basicAuth,
  formRequest,
  introspect,
  newClient,
  newUser,
  openOAuthTestDatabase,
  refresh,
  revoke,
  signIn,
  token,
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

function expectEmpty200(response: { status: number; body: unknown; headers: Headers }) {
  expect(response.status).toBe(200);
  expect(response.body).toBeNull();
  expect(response.headers.get('cache-control')).toBe('no-store');
}

describe('revocation (RFC 7009)', () => {
  it('revokes a refresh token with its grant: every refresh and access token of it stops working', async () => {
    const first = await signIn(app, user);
    const second = await refresh(app, first.refresh_token!);
    expectEmpty200(await revoke(app, second.body.refresh_token!, { token_type_hint: 'refresh_token' }));

    expect((await refresh(app, second.body.refresh_token!)).body.error).toBe('invalid_grant');
    for (const accessToken of [first.access_token, second.body.access_token]) {
      expect((await introspect(app, accessToken)).body.active).toBe(false);
      expect((await userinfo(accessToken)).status).toBe(401);
    }
    const events = await database.sql<{ type: string; kind: string | null; reason: string | null }>(
      "SELECT type, details->>'kind' AS kind, details->>'reason' AS reason FROM audit_events WHERE subject = $1 ORDER BY seq",
      [decodeJwt(first.access_token).gid],
    );
    expect(events).toEqual([
      { type: 'token.revoked', kind: 'refresh_token', reason: null },
      { type: 'grant.revoked', kind: null, reason: 'revoked_by_client' },
    ]);
  });

  it('revokes an access token alone by its jti, until it would have expired', async () => {
    const now = new Date();
    const tokens = await signIn(app, user, {}, now);
    expectEmpty200(await revoke(app, tokens.access_token, { token_type_hint: 'access_token' }, now));
    expect((await introspect(app, tokens.access_token, now)).body.active).toBe(false);
    expect((await userinfo(tokens.access_token, now)).body.error).toBe('invalid_token');
    const claims = decodeJwt(tokens.access_token);
    const [row] = await database.sql('SELECT expires_at FROM revoked_access_tokens WHERE jti = $1', [claims.jti]);
    expect(row!.expires_at.getTime()).toBe(claims.exp! * 1000);
    // The grant and its refresh token live on.
    expect((await introspect(app, tokens.refresh_token!, now)).body.active).toBe(true);

    // Clean-up drops the jti once the token has expired anyway.
    await deleteExpiredOAuthRows(new Date(claims.exp! * 1000 + 1000));
    expect(await database.sql('SELECT 1 FROM revoked_access_tokens WHERE jti = $1', [claims.jti])).toHaveLength(0);
  });

  it('finds the token whatever the hint says, and ignores unknown hints', async () => {
    const a = await signIn(app, user);
    expectEmpty200(await revoke(app, a.access_token, { token_type_hint: 'refresh_token' }));
    expect((await introspect(app, a.access_token)).body.active).toBe(false);
    const b = await signIn(app, user);
    expectEmpty200(await revoke(app, b.refresh_token!, { token_type_hint: 'id_token' }));
    expect((await introspect(app, b.refresh_token!)).body.active).toBe(false);
  });

  it('revokes a client_credentials access token', async () => {
    const service = await newClient({ grantTypes: ['client_credentials'], redirectUris: [], scopes: ['profile'] });
    const issued = await token(service, { grant_type: 'client_credentials' });
    expect((await introspect(service, issued.body.access_token)).body.active).toBe(true);
    expectEmpty200(await revoke(service, issued.body.access_token));
    expect((await introspect(service, issued.body.access_token)).body.active).toBe(false);
  });

  it("answers 200 for unknown and malformed tokens, and ignores another client's tokens", async () => {
    expectEmpty200(await revoke(app, 'not-a-token'));
    expectEmpty200(await revoke(app, 'eyJhbGciOiJub25lIn0.e30.'));
    const other = await newClient();
    const victim = await signIn(app, user);
    expectEmpty200(await revoke(other, victim.refresh_token!));
    expectEmpty200(await revoke(other, victim.access_token));
    expect((await introspect(app, victim.refresh_token!)).body.active).toBe(true);
    expect((await introspect(app, victim.access_token)).body.active).toBe(true);
  });

  it('requires client authentication and the token parameter', async () => {
    const victim = await signIn(app, user);
    const anonymous = await answer(await revocationEndpoint(formRequest('/oauth/revoke', { token: victim.refresh_token! })));
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toMatchObject({ error: 'invalid_client' });
    const wrongSecret = await answer(await revocationEndpoint(formRequest('/oauth/revoke', { token: victim.refresh_token! }, basicAuth({ ...app, secret: 'x' }))));
    expect(wrongSecret.status).toBe(401);
    expect(wrongSecret.headers.get('www-authenticate')).toMatch(/^Basic /);
    expect((await introspect(app, victim.refresh_token!)).body.active).toBe(true);

    const missing = await answer(await revocationEndpoint(formRequest('/oauth/revoke', {}, { ...basicAuth(app), origin: APP_ORIGIN })));
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ error: 'invalid_request' });
    expect(missing.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    const repeated = await answer(await revocationEndpoint(formRequest('/oauth/revoke', 'token=a&token=b', basicAuth(app))));
    expect(repeated.body).toMatchObject({ error: 'invalid_request' });
  });
});
