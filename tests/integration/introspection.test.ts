import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { introspectionEndpoint } from '../../lib/oauth/endpoints/introspection';
import { isAccessTokenRevoked } from '../../lib/oauth/token-status';
import type { TestDatabase } from '../support/database';
import {
  answer,
  formRequest,
  introspect,
  ISSUER,
  newClient,
  newUser,
  openOAuthTestDatabase,
  refresh,
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
  app = await newClient({ refreshTokenIdleTtl: 600, refreshTokenMaxTtl: 3600 });
  user = await newUser();
});
afterAll(() => database.close());

const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

describe('introspection (RFC 7662)', () => {
  it('describes an active access token of the client', async () => {
    const now = new Date();
    const tokens = await signIn(app, user, {}, now);
    const response = await introspect(app, tokens.access_token, now);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.body).toEqual({
      active: true,
      scope: 'openid profile email offline_access',
      client_id: app.client.id,
      sub: user.id,
      aud: ISSUER,
      iss: ISSUER,
      exp: seconds(now) + 3600,
      iat: seconds(now),
      jti: decodeJwt(tokens.access_token).jti,
      token_type: 'Bearer',
    });
  });

  it('describes an active refresh token of the client', async () => {
    const now = new Date();
    const tokens = await signIn(app, user, {}, now);
    const response = await introspect(app, tokens.refresh_token!, now, { token_type_hint: 'refresh_token' });
    expect(response.body).toEqual({
      active: true,
      scope: 'openid profile email offline_access',
      client_id: app.client.id,
      sub: user.id,
      iss: ISSUER,
      exp: seconds(now) + 600,
      iat: seconds(now),
      token_type: 'refresh_token',
    });
    // Without a hint too.
    expect((await introspect(app, tokens.refresh_token!, now)).body.active).toBe(true);
  });

  it("answers active: false for another client's tokens (a client introspects only its own)", async () => {
    const other = await newClient();
    const tokens = await signIn(app, user);
    expect((await introspect(other, tokens.access_token)).body).toEqual({ active: false });
    expect((await introspect(other, tokens.refresh_token!)).body).toEqual({ active: false });
  });

  it('answers active: false for expired, rotated, unknown and malformed tokens', async () => {
    const now = new Date();
    const tokens = await signIn(app, user, {}, now);
    expect((await introspect(app, tokens.access_token, new Date(now.getTime() + 3601_000))).body).toEqual({ active: false });
    expect((await introspect(app, tokens.refresh_token!, new Date(now.getTime() + 601_000))).body).toEqual({ active: false });
    await refresh(app, tokens.refresh_token!, now);
    expect((await introspect(app, tokens.refresh_token!, now)).body).toEqual({ active: false });
    for (const junk of ['unknown', 'a.b.c', 'x'.repeat(4000)]) {
      expect((await introspect(app, junk)).body).toEqual({ active: false });
    }
  });

  it('answers active: false once the user is disabled', async () => {
    const disabled = await newUser();
    const tokens = await signIn(app, disabled);
    await database.sql('UPDATE users SET disabled_at = now() WHERE id = $1', [disabled.id]);
    expect((await introspect(app, tokens.access_token)).body).toEqual({ active: false });
    expect((await introspect(app, tokens.refresh_token!)).body).toEqual({ active: false });
  });

  it('isAccessTokenRevoked: denylisted jti, revoked or missing grant, disabled client, in one query', async () => {
    const tokens = await signIn(app, user);
    const claims = decodeJwt(tokens.access_token) as { jti: string; gid: string; client_id: string };
    const client_id = claims.client_id;
    expect(await isAccessTokenRevoked(claims)).toBe(false);
    expect(await isAccessTokenRevoked({ jti: claims.jti, client_id })).toBe(false);
    expect(await isAccessTokenRevoked({ jti: claims.jti, client_id, gid: '00000000-0000-4000-8000-000000000000' })).toBe(true);
    expect(await isAccessTokenRevoked({ jti: claims.jti, client_id, gid: 'not-a-uuid' })).toBe(true);
    expect(await isAccessTokenRevoked({ jti: claims.jti, client_id: 'oc_no_such_client' })).toBe(true);
    await database.sql("INSERT INTO revoked_access_tokens (jti, expires_at) VALUES ($1, now() + interval '1 hour')", [claims.jti]);
    expect(await isAccessTokenRevoked({ jti: claims.jti, client_id })).toBe(true);
    const other = decodeJwt((await signIn(app, user)).access_token) as { jti: string; gid: string; client_id: string };
    await database.sql('UPDATE grants SET revoked_at = now() WHERE id = $1', [other.gid]);
    expect(await isAccessTokenRevoked(other)).toBe(true);
  });

  it('answers active: false for the tokens of a client that was disabled, and userinfo refuses them', async () => {
    const soon = await newClient();
    const tokens = await signIn(soon, user);
    expect((await introspect(soon, tokens.access_token)).body).toMatchObject({ active: true });
    await database.sql('UPDATE oauth_clients SET enabled = false WHERE id = $1', [soon.client.id]);
    expect(await isAccessTokenRevoked(decodeJwt(tokens.access_token) as { jti: string; gid: string; client_id: string })).toBe(true);
    expect((await userinfo(tokens.access_token)).status).toBe(401);
  });

  it('describes a client_credentials token', async () => {
    const service = await newClient({ grantTypes: ['client_credentials'], redirectUris: [], scopes: ['email'] });
    const issued = await token(service, { grant_type: 'client_credentials' });
    expect((await introspect(service, issued.body.access_token)).body).toMatchObject({
      active: true,
      sub: service.client.id,
      client_id: service.client.id,
      scope: 'email',
      token_type: 'Bearer',
    });
  });

  it('requires client authentication and the token parameter', async () => {
    const tokens = await signIn(app, user);
    const anonymous = await answer(await introspectionEndpoint(formRequest('/oauth/introspect', { token: tokens.access_token })));
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toMatchObject({ error: 'invalid_client' });
    const missing = await introspect(app, '');
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ error: 'invalid_request' });
  });
});
