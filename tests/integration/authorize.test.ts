import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OAuthClientRecord } from '../../lib/oauth/clients/types';
import type { TestDatabase } from '../support/database';
import {
  authorizeGet,
  authorizeParams,
  authorizePost,
  expectClientError,
  expectErrorPage,
  expectHandle,
  ISSUER,
  location,
  newClient,
  openAuthorizeTestDatabase,
  REDIRECT_URI,
  signedInUser,
  idTokenHint,
} from './authorize-support';

let database: TestDatabase;
let client: OAuthClientRecord;
beforeAll(async () => {
  database = await openAuthorizeTestDatabase();
  client = await newClient();
});
afterAll(() => database.close());

describe('authorization endpoint: client and redirect URI are verified before anything is redirected', () => {
  it('refuses a missing, unknown, repeated or over-long client_id on the error page', async () => {
    const disabled = await newClient({ enabled: false });
    const cases: [string, string][] = [
      ['missing', authorizeParams(client, { client_id: undefined }).toString()],
      ['unknown', authorizeParams(client, { client_id: 'oc_doesnotexist' }).toString()],
      ['disabled', authorizeParams(disabled).toString()],
      ['empty', authorizeParams(client, { client_id: '' }).toString()],
      ['repeated', `${authorizeParams(client).toString()}&client_id=${client.id}`],
      ['too long', authorizeParams(client, { client_id: 'x'.repeat(5000) }).toString()],
    ];
    for (const [label, query] of cases) {
      const response = await authorizeGet(query);
      expect.soft(response.headers.get('location'), label).toBe(`${ISSUER}/oauth/error?error=invalid_client`);
    }
  });

  it('refuses a missing redirect_uri on the error page, even when the client registered only one', async () => {
    expect(client.redirectUris).toEqual([REDIRECT_URI]);
    expectErrorPage(await authorizeGet(authorizeParams(client, { redirect_uri: undefined })), 'invalid_redirect_uri');
    // Not even an error that could go back (response_type=token) is redirected to the only URI.
    expectErrorPage(
      await authorizeGet(authorizeParams(client, { redirect_uri: undefined, response_type: 'token' })),
      'invalid_redirect_uri',
    );
  });

  it.each([
    ['a trailing slash', `${REDIRECT_URI}/`],
    ['upper-case host', 'https://APP.example.test/callback'],
    ['upper-case path', 'https://app.example.test/Callback'],
    ['an extra query', `${REDIRECT_URI}?next=1`],
    ['an empty query', `${REDIRECT_URI}?`],
    ['a fragment', `${REDIRECT_URI}#x`],
    ['a different port', 'https://app.example.test:8443/callback'],
    ['the default port spelled out', 'https://app.example.test:443/callback'],
    ['another scheme', 'http://app.example.test/callback'],
    ['a percent-encoded path', 'https://app.example.test/%63allback'],
    ['a sub-path', `${REDIRECT_URI}/more`],
    ['a prefix', 'https://app.example.test/call'],
  ])('compares redirect_uri exactly: %s goes to the error page', async (_label, redirectUri) => {
    expectErrorPage(await authorizeGet(authorizeParams(client, { redirect_uri: redirectUri })), 'invalid_redirect_uri');
  });

  it('refuses a repeated redirect_uri on the error page, even when both copies are registered', async () => {
    const query = `${authorizeParams(client).toString()}&redirect_uri=${encodeURIComponent(REDIRECT_URI)}`;
    expectErrorPage(await authorizeGet(query), 'invalid_redirect_uri');
  });

  it('keeps a registered URI with a query exactly as registered and adds the response to it', async () => {
    const withQuery = 'https://app.example.test/cb?tenant=a%20b';
    const other = await newClient({ redirectUris: [withQuery] });
    const response = await authorizeGet(authorizeParams(other, { redirect_uri: withQuery, response_type: 'token' }));
    const target = response.headers.get('location')!;
    expect(target.startsWith(`${withQuery}&error=unsupported_response_type&`)).toBe(true);
  });
});

describe('authorization endpoint: errors once the redirect URI is verified go back to it with state and iss', () => {
  const cases: [string, Record<string, string | undefined>, string][] = [
    ['response_type missing', { response_type: undefined }, 'invalid_request'],
    ['response_type=token', { response_type: 'token' }, 'unsupported_response_type'],
    ['response_type=code id_token', { response_type: 'code id_token' }, 'unsupported_response_type'],
    ['response_mode=fragment', { response_mode: 'fragment' }, 'invalid_request'],
    ['response_mode=form_post', { response_mode: 'form_post' }, 'invalid_request'],
    ['a request object', { request: 'eyJhbGciOiJub25lIn0.e30.' }, 'request_not_supported'],
    ['request_uri', { request_uri: 'https://app.example.test/request.jwt' }, 'request_uri_not_supported'],
    ['registration', { registration: '{}' }, 'registration_not_supported'],
    ['scope missing', { scope: undefined }, 'invalid_scope'],
    ['an unknown scope', { scope: 'openid admin' }, 'invalid_scope'],
    ['code_challenge_method=plain', { code_challenge_method: 'plain' }, 'invalid_request'],
    ['a challenge without method (implicitly plain)', { code_challenge_method: undefined }, 'invalid_request'],
    ['a method without challenge', { code_challenge: undefined }, 'invalid_request'],
    ['a 42-character challenge', { code_challenge: 'a'.repeat(42) }, 'invalid_request'],
    ['a challenge with invalid characters', { code_challenge: `${'a'.repeat(42)}=` }, 'invalid_request'],
    ['no PKCE for a client that requires it', { code_challenge: undefined, code_challenge_method: undefined }, 'invalid_request'],
    ['a 513-character nonce', { nonce: 'n'.repeat(513) }, 'invalid_request'],
    ['prompt=none login', { prompt: 'none login' }, 'invalid_request'],
    ['prompt=none consent', { prompt: 'none consent' }, 'invalid_request'],
    ['an unknown prompt', { prompt: 'bogus' }, 'invalid_request'],
    ['max_age=-1', { max_age: '-1' }, 'invalid_request'],
    ['max_age=1.5', { max_age: '1.5' }, 'invalid_request'],
    ['max_age=abc', { max_age: 'abc' }, 'invalid_request'],
    ['claims that are not JSON', { claims: '{userinfo' }, 'invalid_request'],
    ['claims that are an array', { claims: '[]' }, 'invalid_request'],
    ['claims with a non-object member', { claims: '{"id_token":5}' }, 'invalid_request'],
    ['claims with a bad claim request', { claims: '{"userinfo":{"email":{"essential":"yes"}}}' }, 'invalid_request'],
    ['an id_token_hint that is not a token', { id_token_hint: 'not-a-jwt' }, 'invalid_request'],
    ['an over-long parameter', { login_hint: 'x'.repeat(5000) }, 'invalid_request'],
  ];
  it.each(cases)('%s → %s', async (_label, overrides, error) => {
    expectClientError(await authorizeGet(authorizeParams(client, overrides)), error);
  });

  it('answers a repeated parameter with invalid_request at the redirect URI', async () => {
    expectClientError(await authorizeGet(`${authorizeParams(client).toString()}&scope=email`), 'invalid_request');
  });

  it('omits state from the redirect when the client sent none', async () => {
    expectClientError(await authorizeGet(authorizeParams(client, { state: undefined, response_type: 'token' })), 'unsupported_response_type', null);
  });

  it('checks in order: response_type is reported before the scope and PKCE problems of the same request', async () => {
    const response = await authorizeGet(authorizeParams(client, { response_type: 'token', scope: 'bogus', code_challenge_method: 'plain' }));
    expectClientError(response, 'unsupported_response_type');
  });

  it('refuses scopes the client may not request, and clients without the authorization_code grant', async () => {
    const narrow = await newClient({ scopes: ['openid'] });
    expectClientError(await authorizeGet(authorizeParams(narrow, { scope: 'openid email' })), 'invalid_scope');
    const machine = await newClient({ grantTypes: ['client_credentials'] });
    expectClientError(await authorizeGet(authorizeParams(machine)), 'unauthorized_client');
  });

  it('requires PKCE from public clients; a confidential client may be allowed to skip it, never to use plain', async () => {
    const spa = await newClient({ type: 'public' });
    expectClientError(await authorizeGet(authorizeParams(spa, { code_challenge: undefined, code_challenge_method: undefined })), 'invalid_request');
    const relaxed = await newClient({ requirePkce: false });
    expectHandle(await authorizeGet(authorizeParams(relaxed, { code_challenge: undefined, code_challenge_method: undefined })), '/sign-in');
    expectClientError(await authorizeGet(authorizeParams(relaxed, { code_challenge_method: 'plain' })), 'invalid_request');
  });

  it('refuses an id_token_hint issued to another client', async () => {
    const other = await newClient();
    const user = await signedInUser();
    const hint = await idTokenHint(other, user);
    expectClientError(await authorizeGet(authorizeParams(client, { id_token_hint: hint })), 'invalid_request');
  });

  it('escapes the echoed state: the redirect carries it URL-encoded, byte for byte', async () => {
    const state = '"><script>alert(1)</script>&x=1#frag é';
    const response = await authorizeGet(authorizeParams(client, { state, response_type: 'token' }));
    expect(response.headers.get('location')).not.toMatch(/[<>"#\s]/);
    expect(expectClientError(response, 'unsupported_response_type', state).searchParams.getAll('x')).toEqual([]);
  });
});

describe('authorization endpoint: what is accepted', () => {
  it('accepts display, ui_locales, claims_locales, login_hint, acr_values, select_account and unknown parameters', async () => {
    const params = authorizeParams(client, {
      display: 'popup',
      ui_locales: 'fr-CA fr en',
      claims_locales: 'de',
      login_hint: 'ada@example.com',
      acr_values: 'urn:mace:incommon:iap:silver',
      prompt: 'select_account',
      vendor_extension: 'whatever',
      claims: '{"userinfo":{"email":{"essential":true},"name":null},"id_token":{"auth_time":{"essential":true}}}',
      max_age: '0',
    });
    const handle = expectHandle(await authorizeGet(params), '/sign-in');
    const [row] = await database.sql<{ params: Record<string, unknown> }>('SELECT params FROM authorization_requests WHERE client_id = $1 ORDER BY created_at DESC LIMIT 1', [client.id]);
    expect(row!.params).toMatchObject({
      prompt: ['select_account'],
      maxAge: 0,
      claims: { userinfo: { email: { essential: true }, name: null }, id_token: { auth_time: { essential: true } } },
    });
    expect(JSON.stringify(row!.params)).not.toContain(handle);
  });

  it('serves plain OAuth 2.0: a request without openid is valid', async () => {
    expectHandle(await authorizeGet(authorizeParams(client, { scope: 'profile email', nonce: undefined })), '/sign-in');
  });

  it('treats a parameter sent without a value as omitted', async () => {
    expectHandle(await authorizeGet(authorizeParams(client, { prompt: '', max_age: '', login_hint: '' })), '/sign-in');
  });

  it('accepts POST with a form body: the request is stored and continues with a GET that carries the session cookie', async () => {
    expectHandle(await authorizePost(authorizeParams(client)), '/oauth/authorize/continue');
  });

  it('answers POST errors like GET errors: at the redirect URI once it is verified, else the error page', async () => {
    expectClientError(await authorizePost(authorizeParams(client, { response_type: 'token' })), 'unsupported_response_type');
    expectClientError(await authorizePost(`${authorizeParams(client).toString()}&nonce=again`), 'invalid_request');
    expectErrorPage(await authorizePost(authorizeParams(client, { redirect_uri: 'https://evil.example/cb' })), 'invalid_redirect_uri');
    expectErrorPage(await authorizePost(JSON.stringify(Object.fromEntries(authorizeParams(client))), undefined, 'application/json'), 'invalid_request');
    expectErrorPage(await authorizePost(authorizeParams(client, { login_hint: 'x'.repeat(20_000) })), 'invalid_request');
  });

  it('never answers with a 500 or a 307, whatever the parameters', async () => {
    const hostile = [
      '',
      'client_id',
      `client_id=${client.id}&redirect_uri=${encodeURIComponent(REDIRECT_URI)}&%ZZ=1`,
      `client_id=${client.id}&redirect_uri=${encodeURIComponent(REDIRECT_URI)}&scope=%00`,
      `client_id=${client.id}&redirect_uri=${encodeURIComponent(REDIRECT_URI)}&response_type=code&scope=openid&max_age=99999999999999999999`,
      `client_id=%C0%AF&redirect_uri=%FF`,
    ];
    for (const query of hostile) {
      const response = await authorizeGet(query);
      expect(response.status, query).toBe(303);
      const target = location(response);
      expect([ISSUER, new URL(REDIRECT_URI).origin]).toContain(target.origin);
    }
  });
});
