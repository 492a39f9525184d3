import { randomUUID } from 'node:crypto';
import { expect, test } from '@playwright/test';
import * as oidc from 'openid-client';
import { optareCli } from './support/optare-cli';

/**
 * openid-client (v6), a certified relying-party library, against the running Optare: discovery,
 * authorization code + PKCE (the browser step done with plain HTTP and a session cookie),
 * ID token validation, userinfo, refresh rotation, introspection, revocation, RP-initiated
 * logout and client credentials. No special cases: if the library accepts it, any will.
 */
const REDIRECT_URI = 'http://127.0.0.1:9/interop/callback';
const POST_LOGOUT_URI = 'http://127.0.0.1:9/interop/signed-out';
const PASSWORD = 'interop passphrase that is long';

interface CreatedClient {
  id: string;
  secret: string;
}

function createClient(testInfo: Parameters<typeof optareCli>[0], args: string[]): CreatedClient {
  const output = optareCli(testInfo, ['client', 'create', ...args]) as { clientId?: string; clientSecret?: string };
  if (!output.clientId || !output.clientSecret) throw new Error(`unexpected client create output: ${JSON.stringify(output)}`);
  return { id: output.clientId, secret: output.clientSecret };
}

/** The browser's part of an authorization request, done with the session cookie. */
async function authorizeWithSession(config: oidc.Configuration, cookie: string, params: Record<string, string>) {
  const verifier = oidc.randomPKCECodeVerifier();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ...params,
  });
  const response = await fetch(url, { headers: { cookie }, redirect: 'manual' });
  expect(response.status).toBe(303);
  return { verifier, callback: new URL(response.headers.get('location')!) };
}

async function signUp(base: string): Promise<string> {
  const response = await fetch(`${base}/api/auth/sign-up`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: base },
    body: JSON.stringify({ email: `interop-${randomUUID().slice(0, 8)}@example.com`, name: 'Interop User', password: PASSWORD }),
  });
  expect(response.status).toBe(201);
  return response.headers.get('set-cookie')!.split(';')[0]!;
}

test('openid-client runs the whole authorization code flow against Optare @postgres', async ({ baseURL }, testInfo) => {
  const base = baseURL!;
  const app = createClient(testInfo, [
    '--name', 'Interop RP', '--first-party',
    '--redirect-uri', REDIRECT_URI, '--post-logout-uri', POST_LOGOUT_URI,
    '--grant', 'authorization_code', '--grant', 'refresh_token',
    '--scope', 'openid', '--scope', 'profile', '--scope', 'email', '--scope', 'offline_access',
  ]);
  const config = await oidc.discovery(new URL(base), app.id, app.secret, oidc.ClientSecretBasic(app.secret), {
    execute: [oidc.allowInsecureRequests],
  });
  expect(config.serverMetadata().issuer).toBe(base);
  expect(config.serverMetadata().authorization_response_iss_parameter_supported).toBe(true);

  const cookie = await signUp(base);
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const { verifier, callback } = await authorizeWithSession(config, cookie, {
    scope: 'openid profile email offline_access',
    state,
    nonce,
  });
  expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT_URI);
  expect(callback.searchParams.get('iss')).toBe(base);

  const tokens = await oidc.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
    idTokenExpected: true,
  });
  const claims = tokens.claims()!;
  expect(claims.iss).toBe(base);
  expect(claims.aud).toContain(app.id);
  expect(typeof claims.auth_time).toBe('number');
  expect(claims.sid).toBeTruthy();
  expect(tokens.token_type.toLowerCase()).toBe('bearer');
  expect(tokens.refresh_token).toBeTruthy();

  const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
  expect(userinfo).toMatchObject({ sub: claims.sub, name: 'Interop User', email: expect.stringMatching(/^interop-/) });

  const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
  expect(refreshed.refresh_token).toBeTruthy();
  expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
  // Presenting the rotated token again is reuse: refused, and the whole family is revoked.
  await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  expect((await oidc.tokenIntrospection(config, refreshed.access_token)).active).toBe(false);

  const again = await authorizeWithSession(config, cookie, { scope: 'openid email' });
  const second = await oidc.authorizationCodeGrant(config, again.callback, {
    pkceCodeVerifier: again.verifier,
    idTokenExpected: true,
  });
  const introspected = await oidc.tokenIntrospection(config, second.access_token);
  expect(introspected).toMatchObject({ active: true, client_id: app.id, sub: claims.sub });
  await oidc.tokenRevocation(config, second.access_token);
  expect((await oidc.tokenIntrospection(config, second.access_token)).active).toBe(false);

  const logoutState = oidc.randomState();
  const logout = await fetch(
    oidc.buildEndSessionUrl(config, { id_token_hint: second.id_token!, post_logout_redirect_uri: POST_LOGOUT_URI, state: logoutState }),
    { headers: { cookie }, redirect: 'manual' },
  );
  expect(logout.status).toBe(303);
  const signedOut = new URL(logout.headers.get('location')!);
  expect(`${signedOut.origin}${signedOut.pathname}`).toBe(POST_LOGOUT_URI);
  expect(signedOut.searchParams.get('state')).toBe(logoutState);
  // The IdP session is over: a prompt=none request now answers login_required.
  const silent = await authorizeWithSession(config, cookie, { scope: 'openid', prompt: 'none' });
  expect(silent.callback.searchParams.get('error')).toBe('login_required');
});

test('openid-client obtains a client_credentials token and Optare introspects it', async ({ baseURL }, testInfo) => {
  const base = baseURL!;
  const service = createClient(testInfo, ['--name', 'Interop service', '--redirect-uri', REDIRECT_URI, '--grant', 'client_credentials', '--scope', 'profile']);
  const config = await oidc.discovery(new URL(base), service.id, service.secret, oidc.ClientSecretBasic(service.secret), {
    execute: [oidc.allowInsecureRequests],
  });
  const tokens = await oidc.clientCredentialsGrant(config, { scope: 'profile' });
  expect(tokens.expires_in).toBeGreaterThan(0);
  expect(await oidc.tokenIntrospection(config, tokens.access_token)).toMatchObject({
    active: true,
    client_id: service.id,
    sub: service.id,
    scope: 'profile',
  });
});
