import { createHash, randomUUID } from 'node:crypto';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../lib/crypto/hash';
import { deleteExpiredOAuthRows } from '../../lib/db/grants';
import { MAX_TOKEN_TTL_SECONDS } from '../../lib/oauth/tokens/lifetimes';
import { tokenEndpoint } from '../../lib/oauth/endpoints/token';
import { publishedJwks } from '../../lib/oauth/keys/signing-keys';
import { POST as tokenRoute, OPTIONS as tokenPreflight } from '../../app/oauth/token/route';
import type { TestDatabase } from '../support/database';
import {
  APP_ORIGIN,
  authorize,
  basicAuth,
  exchange,
  formRequest,
  answer,
  ISSUER,
  newClient,
  newUser,
  openOAuthTestDatabase,
  REDIRECT_URI,
  token,
  type TestClient,
  type TokenBody,
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

const seconds = (date: Date) => Math.floor(date.getTime() / 1000);
/** RFC 6749 §5.2: error_description is %x20-21 / %x23-5B / %x5D-7E. */
const ERROR_DESCRIPTION = /^[\x20-\x21\x23-\x5B\x5D-\x7E]+$/;

function expectError(response: { status: number; body: TokenBody; headers: Headers }, status: number, error: string) {
  expect(response.body.error, response.body.error_description).toBe(error);
  expect(response.status).toBe(status);
  expect(response.body.error_description).toMatch(ERROR_DESCRIPTION);
  expect(response.headers.get('cache-control')).toBe('no-store');
  expect(response.headers.get('pragma')).toBe('no-cache');
}

describe('token endpoint: authorization_code', () => {
  it('exchanges a code with PKCE for an access token, an ID token and a refresh token, each claim as specified', async () => {
    const now = new Date();
    const sessionId = randomUUID();
    const authTime = new Date(now.getTime() - 42_000);
    const issued = await authorize(app, user, { sessionId, authTime, amr: ['pwd', 'otp'], acr: 'urn:optare:acr:mfa' }, now);
    const response = await exchange(app, issued, now);

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('pragma')).toBe('no-cache');
    expect(Object.keys(response.body).sort()).toEqual(['access_token', 'expires_in', 'id_token', 'refresh_token', 'scope', 'token_type']);
    expect(response.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'openid profile email offline_access' });

    const jwks = createLocalJWKSet(await publishedJwks());
    const access = await jwtVerify(response.body.access_token, jwks, { issuer: ISSUER, audience: ISSUER, typ: 'at+jwt', algorithms: ['RS256'] });
    const [grant] = await database.sql<{ id: string }>('SELECT id FROM grants WHERE client_id = $1 AND session_id = $2', [app.client.id, sessionId]);
    expect(access.payload).toEqual({
      iss: ISSUER,
      sub: user.id,
      aud: ISSUER,
      client_id: app.client.id,
      scope: 'openid profile email offline_access',
      jti: expect.any(String),
      iat: seconds(now),
      exp: seconds(now) + 3600,
      auth_time: seconds(authTime),
      amr: ['pwd', 'otp'],
      acr: 'urn:optare:acr:mfa',
      gid: grant!.id,
    });

    const id = await jwtVerify(response.body.id_token!, jwks, { issuer: ISSUER, audience: app.client.id, algorithms: ['RS256'] });
    expect(decodeProtectedHeader(response.body.id_token!)).toMatchObject({ alg: 'RS256', typ: 'JWT' });
    const digest = createHash('sha256').update(response.body.access_token).digest();
    expect(id.payload).toEqual({
      iss: ISSUER,
      sub: user.id,
      aud: app.client.id,
      exp: expect.any(Number),
      iat: seconds(now),
      auth_time: seconds(authTime),
      nonce: 'n-0S6_WzA2Mj',
      at_hash: digest.subarray(0, 16).toString('base64url'),
      amr: ['pwd', 'otp'],
      acr: 'urn:optare:acr:mfa',
      sid: sessionId,
    });
    // Standard claims come from userinfo: an access token was issued (OIDC Core §5.4).
    expect(id.payload).not.toHaveProperty('name');
    expect(id.payload).not.toHaveProperty('email');
  });

  it('gives authorization codes and refresh tokens 256 bits of entropy and stores only their SHA-256', async () => {
    const issued = await authorize(app, user);
    expect(Buffer.from(issued.code, 'base64url')).toHaveLength(32);
    const codeRows = await database.sql('SELECT * FROM authorization_codes WHERE code_hash = $1', [Buffer.from(sha256(issued.code))]);
    expect(codeRows).toHaveLength(1);
    const response = await exchange(app, issued);
    const refreshToken = response.body.refresh_token!;
    expect(Buffer.from(refreshToken, 'base64url')).toHaveLength(32);
    const tokenRows = await database.sql('SELECT * FROM refresh_tokens WHERE token_hash = $1', [Buffer.from(sha256(refreshToken))]);
    expect(tokenRows).toHaveLength(1);

    const everything = JSON.stringify([
      await database.sql('SELECT * FROM authorization_codes'),
      await database.sql('SELECT * FROM refresh_tokens'),
      await database.sql('SELECT * FROM grants'),
      await database.sql('SELECT * FROM audit_events'),
    ]);
    expect(everything).not.toContain(issued.code);
    expect(everything).not.toContain(refreshToken);
    expect(everything).not.toContain(response.body.access_token);
  });

  it('issues no refresh token without offline_access, and no ID token without openid', async () => {
    const withoutOffline = await exchange(app, await authorize(app, user, { scopes: ['openid', 'profile'] }));
    expect(withoutOffline.status).toBe(200);
    expect(withoutOffline.body.refresh_token).toBeUndefined();
    expect(withoutOffline.body.id_token).toBeDefined();
    expect(withoutOffline.body.scope).toBe('openid profile');

    const withoutOpenid = await exchange(app, await authorize(app, user, { scopes: ['profile', 'offline_access'] }));
    expect(withoutOpenid.status).toBe(200);
    expect(withoutOpenid.body.id_token).toBeUndefined();
    expect(withoutOpenid.body.refresh_token).toBeDefined();
  });

  it('issues no refresh token to a client without the refresh_token grant, even with offline_access', async () => {
    const codeOnly = await newClient({ grantTypes: ['authorization_code'] });
    const response = await exchange(codeOnly, await authorize(codeOnly, user));
    expect(response.status).toBe(200);
    expect(response.body.refresh_token).toBeUndefined();
  });

  it('puts the claims the claims parameter asks for in the ID token only when its id_token member asks', async () => {
    const claims = { id_token: { email: { essential: true } }, userinfo: { name: null } };
    // The scopes the authorization endpoint grants for this request once the user consents (the
    // claims parameter never releases a claim outside them: claims-beyond-consent.test.ts).
    const response = await exchange(app, await authorize(app, user, { scopes: ['openid', 'email', 'profile'], claims }));
    expect(response.status).toBe(200);
    const payload = decodeJwt(response.body.id_token!);
    expect(payload.email).toBe(user.email);
    expect(payload).not.toHaveProperty('email_verified');
    expect(payload).not.toHaveProperty('name');
  });

  it('serves a public client authenticating with client_id and PKCE', async () => {
    const spa = await newClient({ type: 'public' });
    const response = await exchange(spa, await authorize(spa, user));
    expect(response.status).toBe(200);
    expect(decodeJwt(response.body.access_token).client_id).toBe(spa.client.id);
  });

  describe('refuses', () => {
    type Params = Record<string, string>;
    it.each<[string, (params: Params) => Params]>([
      ['a wrong code_verifier', (params) => ({ ...params, code_verifier: 'a'.repeat(43) })],
      ['a missing code_verifier', ({ code_verifier: _omitted, ...params }) => params],
      ['a malformed code_verifier (too short)', (params) => ({ ...params, code_verifier: 'abc' })],
      ['a malformed code_verifier (bad characters)', (params) => ({ ...params, code_verifier: `${params.code_verifier!.slice(1)}!` })],
      ['a wrong redirect_uri', (params) => ({ ...params, redirect_uri: 'https://app.example.test/other' })],
      ['a redirect_uri that differs only by a trailing slash', (params) => ({ ...params, redirect_uri: `${REDIRECT_URI}/` })],
    ])('%s with invalid_grant', async (_label, change) => {
      const issued = await authorize(app, user);
      const params = { grant_type: 'authorization_code', code: issued.code, redirect_uri: REDIRECT_URI, code_verifier: issued.verifier };
      expectError(await token(app, change(params)), 400, 'invalid_grant');
      // The code was not consumed: the legitimate exchange still works.
      expect((await exchange(app, issued)).status).toBe(200);
    });

    it('the plain method: the challenge itself as verifier is invalid_grant', async () => {
      const verifier = 'p'.repeat(43);
      const issued = await authorize(app, user, { codeChallenge: verifier });
      const response = await exchange(app, { code: issued.code, verifier });
      expectError(response, 400, 'invalid_grant');
    });

    it('a stored challenge whose method is not S256 (plain is never honoured)', async () => {
      const verifier = 'q'.repeat(43);
      const issued = await authorize(app, user, { codeChallenge: verifier });
      await database.sql("UPDATE authorization_codes SET code_challenge_method = 'plain' WHERE code_hash = $1", [Buffer.from(sha256(issued.code))]);
      expectError(await exchange(app, { code: issued.code, verifier }), 400, 'invalid_grant');
    });

    it('a code_verifier for a code issued without a challenge, and a missing challenge for a PKCE client', async () => {
      const relaxed = await newClient({ requirePkce: false });
      const issued = await authorize(relaxed, user, { codeChallenge: null, codeChallengeMethod: null });
      expectError(await exchange(relaxed, issued), 400, 'invalid_grant');
      const withoutVerifier = await token(relaxed, { grant_type: 'authorization_code', code: issued.code, redirect_uri: REDIRECT_URI });
      expect(withoutVerifier.status).toBe(200);

      const strict = await authorize(app, user, { codeChallenge: null, codeChallengeMethod: null });
      const response = await token(app, { grant_type: 'authorization_code', code: strict.code, redirect_uri: REDIRECT_URI });
      expectError(response, 400, 'invalid_grant');
    });

    it("another client's code with invalid_grant, leaving the code usable by its own client", async () => {
      const other = await newClient();
      const issued = await authorize(app, user);
      expectError(await exchange(other, issued), 400, 'invalid_grant');
      expect((await exchange(app, issued)).status).toBe(200);
    });

    it('an expired code (60 seconds) with invalid_grant', async () => {
      const now = new Date();
      const issued = await authorize(app, user, {}, now);
      expectError(await exchange(app, issued, new Date(now.getTime() + 60_000)), 400, 'invalid_grant');
      expect((await exchange(app, issued, new Date(now.getTime() + 59_000))).status).toBe(200);
    });

    it('an unknown code with invalid_grant', async () => {
      expectError(await exchange(app, { code: 'x'.repeat(43), verifier: 'v'.repeat(43) }), 400, 'invalid_grant');
    });

    it('a code of a revoked grant, or of a disabled user, with invalid_grant', async () => {
      const issued = await authorize(app, user);
      await database.sql("UPDATE grants SET revoked_at = now() WHERE id = (SELECT grant_id FROM authorization_codes WHERE code_hash = $1)", [
        Buffer.from(sha256(issued.code)),
      ]);
      expectError(await exchange(app, issued), 400, 'invalid_grant');

      const disabled = await newUser();
      const code = await authorize(app, disabled);
      await database.sql('UPDATE users SET disabled_at = now() WHERE id = $1', [disabled.id]);
      expectError(await exchange(app, code), 400, 'invalid_grant');
    });

    it.each([['code'], ['redirect_uri']])('a missing %s with invalid_request', async (name) => {
      const issued = await authorize(app, user);
      const params: Record<string, string> = { grant_type: 'authorization_code', code: issued.code, redirect_uri: REDIRECT_URI, code_verifier: issued.verifier };
      delete params[name];
      expectError(await token(app, params), 400, 'invalid_request');
    });
  });
});

describe('token endpoint: client_credentials', () => {
  let service: TestClient;
  beforeAll(async () => {
    service = await newClient({ grantTypes: ['client_credentials'], redirectUris: [], scopes: ['profile', 'email', 'openid'] });
  });

  it('issues an access token for the client itself, with no refresh token, no ID token and no database write', async () => {
    const before = await database.sql<{ n: number }>('SELECT (SELECT count(*) FROM grants) + (SELECT count(*) FROM refresh_tokens) AS n');
    const now = new Date();
    const response = await token(service, { grant_type: 'client_credentials', scope: 'profile' }, now);
    expect(response.status).toBe(200);
    expect(Object.keys(response.body).sort()).toEqual(['access_token', 'expires_in', 'scope', 'token_type']);
    expect(response.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'profile' });
    const claims = decodeJwt(response.body.access_token);
    expect(claims).toMatchObject({ sub: service.client.id, client_id: service.client.id, scope: 'profile', iat: seconds(now) });
    expect(claims).not.toHaveProperty('gid');
    expect(claims).not.toHaveProperty('auth_time');
    const after = await database.sql<{ n: number }>('SELECT (SELECT count(*) FROM grants) + (SELECT count(*) FROM refresh_tokens) AS n');
    expect(after).toEqual(before);
  });

  it('defaults to the client scopes that need no user', async () => {
    const response = await token(service, { grant_type: 'client_credentials' });
    expect(response.body.scope).toBe('profile email');
  });

  it.each([['openid'], ['offline_access'], ['profile address'], ['admin']])('refuses scope %s with invalid_scope', async (scope) => {
    expectError(await token(service, { grant_type: 'client_credentials', scope }), 400, 'invalid_scope');
  });

  it('refuses a client without the grant with unauthorized_client', async () => {
    expectError(await token(app, { grant_type: 'client_credentials' }), 400, 'unauthorized_client');
  });
});

describe('token endpoint: request and client errors', () => {
  it('refuses an unknown grant type with unsupported_grant_type, and a missing one with invalid_request', async () => {
    expectError(await token(app, { grant_type: 'password', username: 'a', password: 'b' }), 400, 'unsupported_grant_type');
    expectError(await token(app, { grant_type: 'implicit' }), 400, 'unsupported_grant_type');
    expectError(await token(app, {}), 400, 'invalid_request');
  });

  it('refuses a grant type the client may not use with unauthorized_client', async () => {
    const codeOnly = await newClient({ grantTypes: ['authorization_code'] });
    expectError(await token(codeOnly, { grant_type: 'refresh_token', refresh_token: 'x' }), 400, 'unauthorized_client');
  });

  it('answers invalid_client with 401 and a Basic challenge when Basic was tried', async () => {
    const wrong = { ...app, secret: 'not-the-secret' };
    const response = await token(wrong, { grant_type: 'authorization_code', code: 'x', redirect_uri: REDIRECT_URI });
    expectError(response, 401, 'invalid_client');
    expect(response.headers.get('www-authenticate')).toMatch(/^Basic realm="optare"/);
  });

  it('answers invalid_client with 401 and no challenge when Basic was not tried', async () => {
    const response = await answer<TokenBody>(
      await tokenEndpoint(formRequest('/oauth/token', { grant_type: 'client_credentials', client_id: app.client.id, client_secret: 'wrong' })),
    );
    expectError(response, 401, 'invalid_client');
    expect(response.headers.get('www-authenticate')).toBeNull();
    const anonymous = await answer<TokenBody>(await tokenEndpoint(formRequest('/oauth/token', { grant_type: 'client_credentials' })));
    expectError(anonymous, 401, 'invalid_client');
  });

  it('refuses a confidential client that sends only its client_id', async () => {
    const response = await answer<TokenBody>(
      await tokenEndpoint(formRequest('/oauth/token', { grant_type: 'authorization_code', client_id: app.client.id, code: 'x', redirect_uri: REDIRECT_URI })),
    );
    expectError(response, 401, 'invalid_client');
  });

  it('refuses repeated parameters, a JSON body and an oversized body with invalid_request', async () => {
    const repeated = await answer<TokenBody>(
      await tokenEndpoint(formRequest('/oauth/token', 'grant_type=client_credentials&grant_type=client_credentials', basicAuth(app))),
    );
    expectError(repeated, 400, 'invalid_request');
    const json = await answer<TokenBody>(
      await tokenEndpoint(
        new Request('http://localhost/oauth/token', {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...basicAuth(app) },
          body: JSON.stringify({ grant_type: 'client_credentials' }),
        }),
      ),
    );
    expectError(json, 400, 'invalid_request');
    const big = await answer<TokenBody>(await tokenEndpoint(formRequest('/oauth/token', `grant_type=client_credentials&x=${'a'.repeat(20_000)}`, basicAuth(app))));
    expectError(big, 400, 'invalid_request');
  });

  it('sends CORS headers for the client’s registered origins only, on success and on errors once the client is known', async () => {
    const ok = await exchange(app, await authorize(app, user), undefined);
    expect(ok.headers.get('access-control-allow-origin')).toBeNull();

    const issued = await authorize(app, user);
    const cors = await token(
      app,
      { grant_type: 'authorization_code', code: issued.code, redirect_uri: REDIRECT_URI, code_verifier: issued.verifier },
      undefined,
      { origin: APP_ORIGIN },
    );
    expect(cors.status).toBe(200);
    expect(cors.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(cors.headers.get('vary')).toContain('Origin');

    const error = await token(app, { grant_type: 'password' }, undefined, { origin: APP_ORIGIN });
    expect(error.status).toBe(400);
    expect(error.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);

    const foreign = await token(app, { grant_type: 'password' }, undefined, { origin: 'https://evil.example' });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();

    const unauthenticated = await token({ ...app, secret: 'wrong' }, { grant_type: 'password' }, undefined, { origin: APP_ORIGIN });
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('routes POST and answers the CORS preflight for registered origins only', async () => {
    const response = await tokenRoute(formRequest('/oauth/token', { grant_type: 'client_credentials' }, basicAuth(app)));
    expect(response.status).toBe(400);
    expect((await response.json()).error).toBe('unauthorized_client');

    const preflight = (origin: string) =>
      tokenPreflight(
        new Request('http://localhost/oauth/token', {
          method: 'OPTIONS',
          headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
        }),
      );
    const allowed = await preflight(APP_ORIGIN);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    const refused = await preflight('https://evil.example');
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('deleteExpiredOAuthRows', () => {
  it('removes unused expired codes and expired grants with their tokens, and keeps consumed codes for replay detection', async () => {
    const now = new Date();
    const unused = await authorize(app, user, {}, now);
    const used = await authorize(app, user, {}, now);
    const tokens = await exchange(app, used, now);
    expect(tokens.status).toBe(200);
    const hash = (value: string) => Buffer.from(sha256(value));

    const afterCode = await deleteExpiredOAuthRows(new Date(now.getTime() + 61_000));
    expect(afterCode.codes).toBeGreaterThanOrEqual(1);
    expect(await database.sql('SELECT 1 FROM authorization_codes WHERE code_hash = $1', [hash(unused.code)])).toHaveLength(0);
    expect(await database.sql('SELECT 1 FROM authorization_codes WHERE code_hash = $1', [hash(used.code)])).toHaveLength(1);
    expect((await exchange(app, used, new Date(now.getTime() + 62_000))).body.error).toBe('invalid_grant');

    const [grant] = await database.sql<{ id: string; expires_at: Date }>(
      'SELECT g.id, g.expires_at FROM grants g JOIN authorization_codes c ON c.grant_id = g.id WHERE c.code_hash = $1',
      [hash(used.code)],
    );
    // The grant outlives its refresh tokens by one maximum access-token lifetime.
    const [refreshRow] = await database.sql<{ absolute_expires_at: Date }>('SELECT absolute_expires_at FROM refresh_tokens WHERE grant_id = $1', [grant!.id]);
    expect(grant!.expires_at.getTime() - refreshRow!.absolute_expires_at.getTime()).toBeGreaterThanOrEqual(MAX_TOKEN_TTL_SECONDS * 1000);
    await deleteExpiredOAuthRows(new Date(grant!.expires_at.getTime() - 1000));
    expect(await database.sql('SELECT 1 FROM grants WHERE id = $1', [grant!.id])).toHaveLength(1);
    expect(await database.sql('SELECT 1 FROM refresh_tokens WHERE grant_id = $1', [grant!.id])).toHaveLength(0);
    const removed = await deleteExpiredOAuthRows(new Date(grant!.expires_at.getTime() + 1000));
    expect(removed.grants).toBeGreaterThanOrEqual(1);
    expect(await database.sql('SELECT 1 FROM grants WHERE id = $1', [grant!.id])).toHaveLength(0);
    expect(await database.sql('SELECT 1 FROM authorization_codes WHERE grant_id = $1', [grant!.id])).toHaveLength(0);
  });
});
