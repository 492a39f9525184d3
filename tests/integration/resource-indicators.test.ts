/**
 * RFC 8707 resource indicators: a client registers the APIs it may get tokens for, asks for some
 * with `resource` at the authorization and token endpoints, and the access token's `aud` is then
 * those APIs. Hostile or unregistered values are invalid_target and issue nothing; a token for
 * another API is refused at userinfo.
 */
import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, updateClient } from '../../lib/oauth/clients/registration';
import { tokenEndpoint } from '../../lib/oauth/endpoints/token';
import { userinfoEndpoint } from '../../lib/oauth/endpoints/userinfo';
import { discoveryDocument } from '../../lib/oauth/metadata';
import { testContext } from '../support/context';
import type { TestDatabase } from '../support/database';
import { authorizeGet, authorizeParams, expectClientError, expectCode, expectHandle, pkce, signIn, type SignedInUser } from './authorize-support';
import {
  answer,
  basicAuth,
  formRequest,
  introspect,
  ISSUER,
  newClient,
  newUser,
  openOAuthTestDatabase,
  REDIRECT_URI,
  refresh,
  token,
  userinfo,
  type TestClient,
  type TokenBody,
} from './token-endpoint.helpers';

const ORDERS = 'https://orders.example.test/';
const BILLING = 'https://billing.example.test/api';
const UNREGISTERED = 'https://evil.example.test/';

/** Values a request may not name as a resource of a client that registered ORDERS and BILLING. */
const HOSTILE_RESOURCES = [
  UNREGISTERED,
  `${ORDERS}#fragment`,
  '/relative/api',
  'orders.example.test',
  'https://orders.example.test', // registered with a trailing slash: compared as strings
  'HTTPS://ORDERS.EXAMPLE.TEST/',
  'http://orders.example.test/',
  'javascript:alert(1)',
  'https://user:pass@orders.example.test/',
  'https://orders.example.test/\u202e',
  'x'.repeat(3000),
];

let database: TestDatabase;
let app: TestClient;
let browser: SignedInUser;

beforeAll(async () => {
  database = await openOAuthTestDatabase();
  app = await newClient({
    firstParty: true,
    resources: [ORDERS, BILLING],
    grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
  });
  const user = await newUser();
  browser = await signIn(user);
});

afterAll(async () => {
  await database.close();
});

/** The authorization endpoint for `app`, with the session: the code, or the redirect. */
async function authorizeWith(extra: [string, string][], client = app, overrides: Record<string, string | undefined> = {}) {
  const { verifier, challenge } = pkce();
  const params = authorizeParams(client.client, { code_challenge: challenge, scope: 'openid profile offline_access', ...overrides });
  for (const [name, value] of extra) params.append(name, value);
  return { response: await authorizeGet(params, browser.cookie), verifier };
}

async function codeFor(resources: string[], client = app) {
  const { response, verifier } = await authorizeWith(
    resources.map((resource) => ['resource', resource]),
    client,
  );
  return { code: expectCode(response), verifier };
}

/** A token request whose form carries repeated parameters (a Record cannot). */
async function tokenForm(client: TestClient, pairs: [string, string][]) {
  return answer<TokenBody>(await tokenEndpoint(formRequest('/oauth/token', new URLSearchParams(pairs).toString(), basicAuth(client))));
}

function exchangePairs(issued: { code: string; verifier: string }): [string, string][] {
  return [
    ['grant_type', 'authorization_code'],
    ['code', issued.code],
    ['redirect_uri', REDIRECT_URI],
    ['code_verifier', issued.verifier],
  ];
}

async function grantCount(clientId: string): Promise<number> {
  const [row] = await database.sql<{ count: string }>('SELECT count(*)::text AS count FROM grants WHERE client_id = $1', [clientId]);
  return Number(row!.count);
}

async function pendingCount(): Promise<number> {
  const [row] = await database.sql<{ count: string }>('SELECT count(*)::text AS count FROM authorization_requests');
  return Number(row!.count);
}

describe('resource indicators: client registration', () => {
  it('stores absolute https URIs (http only on loopback) and refuses fragments, relative, wildcard and repeated values', async () => {
    const ok = await createClient({ name: 'API user', redirectUris: [REDIRECT_URI], resources: [ORDERS, 'http://localhost:8080/api'] }, testContext());
    expect(ok.ok && ok.client.resources).toEqual([ORDERS, 'http://localhost:8080/api']);
    for (const bad of [`${ORDERS}#x`, '/api', 'http://api.example.test/', 'https://*.example.test/', 'urn:example:api', '']) {
      const refused = await createClient({ name: 'Bad', redirectUris: [REDIRECT_URI], resources: [bad] }, testContext());
      expect(refused.ok, bad).toBe(false);
      if (!refused.ok) expect(refused.fieldErrors.resources, bad).toBeDefined();
    }
    const repeated = await createClient({ name: 'Bad', redirectUris: [REDIRECT_URI], resources: [ORDERS, ORDERS] }, testContext());
    expect(repeated.ok).toBe(false);
    const plain = await createClient({ name: 'Plain', redirectUris: [REDIRECT_URI] }, testContext());
    expect(plain.ok && plain.client.resources).toEqual([]);
  });
});

describe('resource indicators: authorization_code', () => {
  it('binds one resource to the code: the access token is for that API alone (aud a string), introspection says so', async () => {
    const issued = await codeFor([ORDERS]);
    const response = await tokenForm(app, exchangePairs(issued));
    expect(response.status).toBe(200);
    expect(decodeJwt(response.body.access_token).aud).toBe(ORDERS);
    expect(decodeJwt(response.body.id_token!).aud).toBe(app.client.id);
    const introspection = await introspect(app, response.body.access_token);
    expect(introspection.body).toMatchObject({ active: true, aud: ORDERS });
  });

  it('gives several resources as an array aud, and narrows to the ones named at the token endpoint', async () => {
    const both = await tokenForm(app, exchangePairs(await codeFor([ORDERS, BILLING])));
    expect(decodeJwt(both.body.access_token).aud).toEqual([ORDERS, BILLING]);
    const narrowed = await tokenForm(app, [...exchangePairs(await codeFor([ORDERS, BILLING])), ['resource', BILLING]]);
    expect(narrowed.status).toBe(200);
    expect(decodeJwt(narrowed.body.access_token).aud).toBe(BILLING);
  });

  it('keeps today\'s audience, the issuer, when no resource is requested', async () => {
    const response = await tokenForm(app, exchangePairs(await codeFor([])));
    expect(decodeJwt(response.body.access_token).aud).toBe(ISSUER);
    expect((await userinfo(response.body.access_token)).status).toBe(200);
  });

  it('refuses at the token endpoint a resource the authorization did not grant, without consuming the code', async () => {
    const issued = await codeFor([ORDERS]);
    for (const resource of [BILLING, UNREGISTERED, `${ORDERS}#x`]) {
      const refused = await tokenForm(app, [...exchangePairs(issued), ['resource', resource]]);
      expect(refused.status, resource).toBe(400);
      expect(refused.body.error).toBe('invalid_target');
      expect(refused.body.access_token).toBeUndefined();
    }
    const granted = await tokenForm(app, exchangePairs(issued));
    expect(granted.status).toBe(200);
    expect(decodeJwt(granted.body.access_token).aud).toBe(ORDERS);
  });

  it('answers every hostile resource at the redirect URI with invalid_target and stores nothing', async () => {
    const before = await grantCount(app.client.id);
    const pendingBefore = await pendingCount();
    for (const resource of HOSTILE_RESOURCES) {
      const { response } = await authorizeWith([['resource', resource]]);
      expectClientError(response, 'invalid_target');
    }
    // A good value next to a bad one, and a registered value repeated with a bad one.
    expectClientError((await authorizeWith([['resource', ORDERS], ['resource', UNREGISTERED]])).response, 'invalid_target');
    expectClientError((await authorizeWith([['resource', BILLING], ['resource', BILLING], ['resource', `${BILLING}#f`]])).response, 'invalid_target');
    expect(await grantCount(app.client.id)).toBe(before);
    expect(await pendingCount()).toBe(pendingBefore);
  });

  it('keeps the resources with a pending request: a third-party app asks for consent, then issues for them', async () => {
    const thirdParty = await newClient({ resources: [ORDERS] });
    const { response } = await authorizeWith([['resource', ORDERS]], thirdParty);
    const handle = expectHandle(response, '/consent');
    const [row] = await database.sql<{ params: { resources?: string[] } }>('SELECT params FROM authorization_requests WHERE client_id = $1', [
      thirdParty.client.id,
    ]);
    expect(handle).toBeTruthy();
    expect(row!.params.resources).toEqual([ORDERS]);
  });

  it('accepts a registered value sent twice as one resource', async () => {
    const response = await tokenForm(app, exchangePairs(await codeFor([ORDERS, ORDERS])));
    expect(decodeJwt(response.body.access_token).aud).toBe(ORDERS);
  });
});

describe('resource indicators: refresh_token', () => {
  it('narrows to a subset of the granted resources, refuses anything else without rotating the refresh token', async () => {
    const first = await tokenForm(app, exchangePairs(await codeFor([ORDERS, BILLING])));
    const refreshToken = first.body.refresh_token!;
    expect(refreshToken).toBeTruthy();
    for (const resource of [UNREGISTERED, 'https://billing.example.test/api/', `${BILLING}#x`]) {
      const refused = await refresh(app, refreshToken, undefined, { resource });
      expect(refused.status, resource).toBe(400);
      expect(refused.body.error).toBe('invalid_target');
      expect(refused.body.refresh_token).toBeUndefined();
    }
    const narrowed = await refresh(app, refreshToken, undefined, { resource: ORDERS });
    expect(narrowed.status).toBe(200);
    expect(decodeJwt(narrowed.body.access_token).aud).toBe(ORDERS);
    const all = await refresh(app, narrowed.body.refresh_token!);
    expect(decodeJwt(all.body.access_token).aud).toEqual([ORDERS, BILLING]);
  });

  it('stops issuing for a resource the client no longer has, and refuses a grant left with none', async () => {
    const api = await newClient({ firstParty: true, resources: [ORDERS, BILLING] });
    const first = await tokenForm(api, exchangePairs(await codeFor([ORDERS, BILLING], api)));
    expect((await updateClient(api.client.id, { resources: [BILLING] })).ok).toBe(true);
    const kept = await refresh(api, first.body.refresh_token!);
    expect(decodeJwt(kept.body.access_token).aud).toBe(BILLING);
    expect((await updateClient(api.client.id, { resources: [] })).ok).toBe(true);
    const refused = await refresh(api, kept.body.refresh_token!);
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe('invalid_target');
  });

  it('cannot widen a grant made without resources', async () => {
    const first = await tokenForm(app, exchangePairs(await codeFor([])));
    const refused = await refresh(app, first.body.refresh_token!, undefined, { resource: ORDERS });
    expect(refused.body.error).toBe('invalid_target');
    const again = await refresh(app, first.body.refresh_token!);
    expect(decodeJwt(again.body.access_token).aud).toBe(ISSUER);
  });
});

describe('resource indicators: client_credentials', () => {
  it('issues for the registered resources named, the issuer when none is, and refuses the rest', async () => {
    const one = await token(app, { grant_type: 'client_credentials', resource: BILLING });
    expect(one.status).toBe(200);
    expect(decodeJwt(one.body.access_token).aud).toBe(BILLING);
    const several = await tokenForm(app, [
      ['grant_type', 'client_credentials'],
      ['resource', ORDERS],
      ['resource', BILLING],
    ]);
    expect(decodeJwt(several.body.access_token).aud).toEqual([ORDERS, BILLING]);
    const none = await token(app, { grant_type: 'client_credentials' });
    expect(decodeJwt(none.body.access_token).aud).toBe(ISSUER);
    for (const resource of HOSTILE_RESOURCES) {
      const refused = await token(app, { grant_type: 'client_credentials', resource });
      expect(refused.status, resource).toBe(400);
      expect(refused.body.error, resource).toBe('invalid_target');
      expect(refused.body.access_token).toBeUndefined();
    }
  });
});

describe('resource indicators: userinfo serves only tokens for Optare itself', () => {
  it('refuses a token issued for another API with 401 invalid_token', async () => {
    const response = await tokenForm(app, exchangePairs(await codeFor([ORDERS])));
    const refused = await userinfo(response.body.access_token);
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ error: 'invalid_token' });
    expect(refused.headers.get('www-authenticate')).toContain('invalid_token');
  });

  it('accepts a token whose audiences include the issuer, when the client registered it as a resource', async () => {
    const both = await newClient({ firstParty: true, resources: [ORDERS, ISSUER] });
    const response = await tokenForm(both, exchangePairs(await codeFor([ORDERS, ISSUER], both)));
    expect(decodeJwt(response.body.access_token).aud).toEqual([ORDERS, ISSUER]);
    expect((await userinfo(response.body.access_token)).status).toBe(200);
  });
});

describe('resource indicators: an openid-client relying party', () => {
  it('asks for a resource, gets an ID token for itself and an access token for the API, refused at userinfo', async () => {
    const config = new oidc.Configuration(discoveryDocument(ISSUER), app.client.id, {}, oidc.ClientSecretBasic(app.secret!));
    config[oidc.customFetch] = async (url, options) => {
      const request = new Request(url, options as RequestInit);
      const path = new URL(url).pathname;
      const handled = path.endsWith('/token') ? await tokenEndpoint(request) : await userinfoEndpoint(request);
      return new Response(handled.body, { status: handled.status, headers: handled.headers });
    };
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      resource: ORDERS,
    });
    const callback = new URL((await authorizeGet(url.searchParams, browser.cookie)).headers.get('location')!);
    const tokens = await oidc.authorizationCodeGrant(
      config,
      callback,
      { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce },
      { resource: ORDERS },
    );
    expect(decodeJwt(tokens.access_token).aud).toBe(ORDERS);
    expect(tokens.claims()?.aud).toBe(app.client.id);
    const sub = tokens.claims()!.sub;
    await expect(oidc.fetchUserInfo(config, tokens.access_token, sub)).rejects.toMatchObject({ status: 401 });
  });
});
