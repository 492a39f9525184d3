import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userinfoEndpoint } from '../../lib/oauth/endpoints/userinfo';
import { GET as userinfoGet, POST as userinfoPost } from '../../app/oauth/userinfo/route';
import type { TestDatabase } from '../support/database';
import {
  APP_ORIGIN,
  answer,
  formRequest,
  newClient,
  newUser,
  openOAuthTestDatabase,
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
  user = await newUser('Grace Hopper');
});
afterAll(() => database.close());

const URL_ = 'http://localhost/oauth/userinfo';

async function updatedAt(userId: string): Promise<number> {
  const [row] = await database.sql<{ updated_at: Date }>('SELECT updated_at FROM users WHERE id = $1', [userId]);
  return Math.floor(row!.updated_at.getTime() / 1000);
}

describe('userinfo (OIDC Core §5.3)', () => {
  it('answers GET with sub and the claims of the profile and email scopes', async () => {
    const tokens = await signIn(app, user);
    const response = await userinfo(tokens.access_token);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.body).toEqual({
      sub: user.id,
      name: 'Grace Hopper',
      updated_at: await updatedAt(user.id),
      email: user.email,
      email_verified: false,
    });
  });

  it('releases only the claims of the granted scopes: the claims parameter never adds a claim of another scope', async () => {
    const openidOnly = await signIn(app, user, { scopes: ['openid'] });
    expect((await userinfo(openidOnly.access_token)).body).toEqual({ sub: user.id });
    const emailOnly = await signIn(app, user, { scopes: ['openid', 'email'] });
    expect((await userinfo(emailOnly.access_token)).body).toEqual({ sub: user.id, email: user.email, email_verified: false });
    const claimsRequest = await signIn(app, user, { scopes: ['openid'], claims: { userinfo: { name: { essential: true }, phone_number: null } } });
    // name belongs to profile, which this grant does not hold (the authorization endpoint would
    // have asked the user for it); phone_number is a claim Optare does not have.
    expect((await userinfo(claimsRequest.access_token)).body).toEqual({ sub: user.id });
  });

  it('narrowed access tokens release the narrowed claims only', async () => {
    const tokens = await signIn(app, user);
    const narrowed = await token(app, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token!, scope: 'openid email' });
    expect((await userinfo(narrowed.body.access_token)).body).toEqual({ sub: user.id, email: user.email, email_verified: false });
  });

  it('accepts POST with the token in the header or in the form body (RFC 6750 §2.2)', async () => {
    const tokens = await signIn(app, user);
    const header = await answer(
      await userinfoEndpoint(new Request(URL_, { method: 'POST', headers: { authorization: `Bearer ${tokens.access_token}` } })),
    );
    expect(header.status).toBe(200);
    expect(header.body.sub).toBe(user.id);
    const body = await answer(await userinfoEndpoint(formRequest('/oauth/userinfo', { access_token: tokens.access_token })));
    expect(body.status).toBe(200);
    expect(body.body.sub).toBe(user.id);
    // The route handlers are the endpoint.
    expect((await userinfoGet(new Request(URL_, { headers: { authorization: `Bearer ${tokens.access_token}` } }))).status).toBe(200);
    expect((await userinfoPost(formRequest('/oauth/userinfo', { access_token: tokens.access_token }))).status).toBe(200);
  });

  it('refuses a token sent both in the header and in the body with invalid_request', async () => {
    const tokens = await signIn(app, user);
    const response = await answer(
      await userinfoEndpoint(formRequest('/oauth/userinfo', { access_token: tokens.access_token }, { authorization: `Bearer ${tokens.access_token}` })),
    );
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: 'invalid_request' });
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="optare", error="invalid_request"/);
  });

  it('never reads a token from the query string: no token is a bare 401 challenge', async () => {
    const tokens = await signIn(app, user);
    for (const request of [
      new Request(`${URL_}?access_token=${tokens.access_token}`),
      new Request(`${URL_}?access_token=${tokens.access_token}`, { method: 'POST' }),
      new Request(URL_),
      new Request(URL_, { headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` } }),
    ]) {
      const response = await answer(await userinfoEndpoint(request));
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="optare"');
      expect(response.body).toBeNull();
    }
  });

  it('answers invalid, expired and revoked tokens with 401 invalid_token and the challenge', async () => {
    const now = new Date();
    const tokens = await signIn(app, user, {}, now);
    const cases = [
      await userinfo('not-a-jwt'),
      await userinfo(`${tokens.access_token.slice(0, -4)}AAAA`),
      await userinfo(tokens.access_token, new Date(now.getTime() + 3601_000)),
    ];
    await revoke(app, tokens.access_token);
    cases.push(await userinfo(tokens.access_token, now));
    for (const response of cases) {
      expect(response.status).toBe(401);
      expect(response.body).toMatchObject({ error: 'invalid_token' });
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="optare", error="invalid_token", error_description="[^"]+"$/);
    }
  });

  it('answers a malformed Authorization header with invalid_request', async () => {
    const response = await answer(await userinfoEndpoint(new Request(URL_, { headers: { authorization: 'Bearer a b' } })));
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: 'invalid_request' });
  });

  it('answers a token without openid with 403 insufficient_scope', async () => {
    const noOpenid = await signIn(app, user, { scopes: ['profile', 'offline_access'] });
    const response = await userinfo(noOpenid.access_token);
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ error: 'insufficient_scope' });
    expect(response.headers.get('www-authenticate')).toMatch(/error="insufficient_scope"/);

    const narrowed = await token(app, { grant_type: 'refresh_token', refresh_token: (await signIn(app, user)).refresh_token!, scope: 'profile' });
    expect((await userinfo(narrowed.body.access_token)).status).toBe(403);

    const service = await newClient({ grantTypes: ['client_credentials'], redirectUris: [], scopes: ['profile'] });
    const machine = await token(service, { grant_type: 'client_credentials' });
    expect((await userinfo(machine.body.access_token)).status).toBe(403);
  });

  it('answers invalid_token once the user is disabled', async () => {
    const disabled = await newUser();
    const tokens = await signIn(app, disabled);
    await database.sql('UPDATE users SET disabled_at = now() WHERE id = $1', [disabled.id]);
    const response = await userinfo(tokens.access_token);
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ error: 'invalid_token' });
  });

  it("sends CORS headers for the token's client's origins only", async () => {
    const tokens = await signIn(app, user);
    const allowed = await userinfo(tokens.access_token, undefined, { origin: APP_ORIGIN });
    expect(allowed.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    const foreign = await userinfo(tokens.access_token, undefined, { origin: 'https://evil.example' });
    expect(foreign.status).toBe(200);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    await revoke(app, tokens.access_token);
    const revoked = await userinfo(tokens.access_token, undefined, { origin: APP_ORIGIN });
    expect(revoked.status).toBe(401);
    expect(revoked.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
  });
});
