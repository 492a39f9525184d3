/**
 * Signing-algorithm agility: RS256 (the default), PS256, ES256 and EdDSA, chosen per client for
 * ID tokens and access tokens. Each alg has its own active key, made on first use, published in
 * the JWKS and rotated on its own; an openid-client RP set to the client's alg verifies its
 * tokens; a token whose header alg is not its key's alg is refused everywhere.
 */
import { createHash, createHmac, createPublicKey } from 'node:crypto';
import { calculateJwkThumbprint, createRemoteJWKSet, customFetch, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as clientsRoute from '../../app/api/admin/v1/clients/route';
import * as clientRoute from '../../app/api/admin/v1/clients/[clientId]/route';
import { GET as jwksGet } from '../../app/oauth/jwks/route';
import { createClient } from '../../lib/oauth/clients/registration';
import { clientSettingsSchema } from '../../lib/oauth/clients/settings-schema';
import { tokenEndpoint } from '../../lib/oauth/endpoints/token';
import { userinfoEndpoint } from '../../lib/oauth/endpoints/userinfo';
import { SIGNING_ALGORITHMS, type SigningAlg } from '../../lib/oauth/keys/algorithms';
import {
  activeSigningKey,
  ensureSigningKey,
  forgetCachedSigningKeys,
  publishedJwks,
  rotateSigningKey,
  signingKeySummaries,
} from '../../lib/oauth/keys/signing-keys';
import { discoveryDocument } from '../../lib/oauth/metadata';
import { verifyAccessToken } from '../../lib/oauth/tokens/access-token';
import { verifyIdTokenHint } from '../../lib/oauth/tokens/id-token';
import { signJwt } from '../../lib/oauth/tokens/jws';
import { integrationSnippets, SECRET_VARIABLE, type SnippetClient } from '../../components/admin/clients/snippets';
import { clientCreate } from '../../lib/cli/commands/client-create';
import type { OptionValues } from '../../lib/cli/command';
import { ConfigError } from '../../lib/config';
import { useTestConfig } from '../support/config';
import { testContext } from '../support/context';
import type { TestDatabase } from '../support/database';
import { callApi, expectJson, expectRefused, newApiKey } from './admin-users-support';
import { authorizeGet, signIn, type SignedInUser } from './authorize-support';
import { introspect, ISSUER, newClient, newUser, openOAuthTestDatabase, REDIRECT_URI, userinfo, type TestClient } from './token-endpoint.helpers';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

let database: TestDatabase;
let browser: SignedInUser;

beforeAll(async () => {
  database = await openOAuthTestDatabase();
  browser = await signIn(await newUser());
});
afterAll(() => database.close());

/** The JWKS exactly as /oauth/jwks serves it, fetched by jose's remote key set. */
const remoteJwks = () =>
  createRemoteJWKSet(new URL(`${ISSUER}/oauth/jwks`), {
    [customFetch]: async () => jwksGet(new Request(`${ISSUER}/oauth/jwks`)),
  });

/** OIDC Core §3.1.3.6, computed here independently: SHA-512 for EdDSA (Ed25519), SHA-256 otherwise. */
function expectedHalfHash(value: string, alg: SigningAlg): string {
  const digest = createHash(alg === 'EdDSA' ? 'sha512' : 'sha256').update(value).digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

/** An openid-client relying party for `app`, told the client's ID token alg, talking to the endpoints in process. */
function relyingParty(app: TestClient, alg: SigningAlg | undefined) {
  const metadata = alg ? { id_token_signed_response_alg: alg } : {};
  const config = new oidc.Configuration(discoveryDocument(ISSUER), app.client.id, metadata, oidc.ClientSecretBasic(app.secret!));
  config[oidc.customFetch] = async (url, options) => {
    const request = new Request(url, options as RequestInit);
    const handled = new URL(url).pathname.endsWith('/token') ? await tokenEndpoint(request) : await userinfoEndpoint(request);
    return new Response(handled.body, { status: handled.status, headers: handled.headers });
  };
  return config;
}

async function codeFlow(config: oidc.Configuration) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope: 'openid profile email offline_access',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  const callback = new URL((await authorizeGet(url.searchParams, browser.cookie)).headers.get('location')!);
  return oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
}

const clientFor = (alg: SigningAlg) =>
  newClient({
    firstParty: true,
    grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
    idTokenSignedResponseAlg: alg,
    accessTokenSignedResponseAlg: alg,
  });

describe('a client configured for each signing algorithm', () => {
  it.each(SIGNING_ALGORITHMS)(
    '%s: ID and access tokens from the code, refresh and client_credentials grants carry it and verify against the JWKS',
    async (alg) => {
      const app = await clientFor(alg);
      expect(app.client).toMatchObject({ idTokenSignedResponseAlg: alg, accessTokenSignedResponseAlg: alg });
      const config = relyingParty(app, alg);
      const jwks = remoteJwks();

      const tokens = await codeFlow(config);
      const idToken = tokens.id_token!;
      expect(decodeProtectedHeader(idToken)).toMatchObject({ alg, typ: 'JWT' });
      expect(decodeProtectedHeader(tokens.access_token)).toMatchObject({ alg, typ: 'at+jwt' });
      const { payload: id } = await jwtVerify(idToken, jwks, { issuer: ISSUER, audience: app.client.id, algorithms: [alg] });
      expect(id.at_hash).toBe(expectedHalfHash(tokens.access_token, alg));
      await jwtVerify(tokens.access_token, jwks, { issuer: ISSUER, typ: 'at+jwt', algorithms: [alg] });
      const kid = decodeProtectedHeader(idToken).kid;
      expect((await publishedJwks()).keys.find((key) => key.kid === kid)).toMatchObject({ alg, use: 'sig' });

      // Userinfo and introspection accept the token, whatever its alg.
      const claims = tokens.claims()!;
      expect(await oidc.fetchUserInfo(config, tokens.access_token, claims.sub)).toMatchObject({ sub: claims.sub });
      expect((await introspect(app, tokens.access_token)).body).toMatchObject({ active: true, sub: claims.sub, client_id: app.client.id });
      expect(await verifyIdTokenHint(idToken)).toMatchObject({ sub: claims.sub });

      const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
      expect(decodeProtectedHeader(refreshed.id_token!).alg).toBe(alg);
      expect(decodeProtectedHeader(refreshed.access_token).alg).toBe(alg);
      await jwtVerify(refreshed.access_token, jwks, { issuer: ISSUER, algorithms: [alg] });

      const service = await oidc.clientCredentialsGrant(config, { scope: 'profile' });
      expect(decodeProtectedHeader(service.access_token).alg).toBe(alg);
      await jwtVerify(service.access_token, jwks, { issuer: ISSUER, algorithms: [alg] });
      expect((await introspect(app, service.access_token)).body).toMatchObject({ active: true, sub: app.client.id });
    },
    60_000,
  );

  it('lets the ID token and access token algs differ; an RP that expects RS256 refuses the ES256 ID token', async () => {
    const app = await newClient({ firstParty: true, idTokenSignedResponseAlg: 'ES256', accessTokenSignedResponseAlg: 'EdDSA' });
    const tokens = await codeFlow(relyingParty(app, 'ES256'));
    expect(decodeProtectedHeader(tokens.id_token!).alg).toBe('ES256');
    expect(decodeProtectedHeader(tokens.access_token).alg).toBe('EdDSA');
    expect(decodeJwt(tokens.id_token!).at_hash).toBe(expectedHalfHash(tokens.access_token, 'ES256'));
    // openid-client checks the header alg against id_token_signed_response_alg (or, unset, discovery's list).
    await expect(codeFlow(relyingParty(app, 'RS256'))).rejects.toMatchObject({ cause: { message: 'unexpected JWT "alg" header parameter' } });
    expect(decodeProtectedHeader((await codeFlow(relyingParty(app, undefined))).id_token!).alg).toBe('ES256');
  });

  it('keeps RS256 for a client that does not choose', async () => {
    const app = await newClient({ firstParty: true });
    // Not chosen: the server's default (OPTARE_DEFAULT_SIGNING_ALG), RS256 unless configured.
    expect(app.client).toMatchObject({ idTokenSignedResponseAlg: null, accessTokenSignedResponseAlg: null });
    const tokens = await codeFlow(relyingParty(app, undefined));
    expect(decodeProtectedHeader(tokens.id_token!).alg).toBe('RS256');
    expect(decodeProtectedHeader(tokens.access_token).alg).toBe('RS256');
  });
});

describe('the JWKS with every algorithm', () => {
  it('publishes each key with kty, crv, kid (its RFC 7638 thumbprint), use and alg, and never a private member', async () => {
    for (const alg of SIGNING_ALGORITHMS) await activeSigningKey(alg);
    const response = await jwksGet(new Request(`${ISSUER}/oauth/jwks`));
    const { keys } = (await response.json()) as { keys: Record<string, string>[] };
    const expectedShape: Record<SigningAlg, Record<string, unknown>> = {
      RS256: { kty: 'RSA', n: expect.any(String), e: 'AQAB' },
      PS256: { kty: 'RSA', n: expect.any(String), e: 'AQAB' },
      ES256: { kty: 'EC', crv: 'P-256', x: expect.any(String), y: expect.any(String) },
      EdDSA: { kty: 'OKP', crv: 'Ed25519', x: expect.any(String) },
    };
    for (const alg of SIGNING_ALGORITHMS) {
      const key = keys.find((each) => each.alg === alg && each.kid === (keys.find((k) => k.alg === alg) ?? {}).kid);
      expect(key, alg).toBeDefined();
      expect(key).toEqual({ ...expectedShape[alg], kid: expect.any(String), use: 'sig', alg });
    }
    for (const key of keys) {
      expect(PRIVATE_MEMBERS.filter((member) => member in key)).toEqual([]);
      expect(key.kid).toBe(await calculateJwkThumbprint(key as never));
      // Each imports as a public key of its type.
      const imported = createPublicKey({ key: key as never, format: 'jwk' });
      expect(imported.type).toBe('public');
    }
    const summaries = await signingKeySummaries();
    expect(summaries.find((key) => key.alg === 'ES256' && key.status === 'active')!.keyType).toBe('P-256');
    expect(summaries.find((key) => key.alg === 'PS256' && key.status === 'active')!.keyType).toBe('RSA 2048');
  });
});

describe('keys per algorithm', () => {
  it('are made once on first use, even when many requests need the new alg at the same moment', async () => {
    await database.sql("DELETE FROM signing_keys WHERE alg = 'ES256'");
    forgetCachedSigningKeys();
    const keys = await Promise.all(Array.from({ length: 6 }, () => activeSigningKey('ES256')));
    expect(new Set(keys.map((key) => key.kid)).size).toBe(1);
    const rows = await database.sql<{ kid: string }>("SELECT kid FROM signing_keys WHERE alg = 'ES256'");
    expect(rows.map((row) => row.kid)).toEqual([keys[0]!.kid]);
    const [event] = await database.sql<{ details: Record<string, unknown> }>("SELECT details FROM audit_events WHERE type = 'key.rotated' AND subject = $1", [
      keys[0]!.kid,
    ]);
    expect(event!.details).toEqual({ kid: keys[0]!.kid, alg: 'ES256', retiredKid: null, reason: 'initial' });
  });

  it('are made at start for the algorithms enabled clients use', async () => {
    await newClient({ idTokenSignedResponseAlg: 'PS256' });
    await database.sql("DELETE FROM signing_keys WHERE alg IN ('PS256', 'EdDSA')");
    forgetCachedSigningKeys();
    await ensureSigningKey();
    const active = await database.sql<{ alg: string }>('SELECT alg FROM signing_keys WHERE retired_at IS NULL ORDER BY alg');
    // PS256 and EdDSA (used by clients above) are back; RS256 and ES256 were there.
    expect(active.map((row) => row.alg)).toEqual(['ES256', 'EdDSA', 'PS256', 'RS256']);
  });

  it('rotate one alg at a time: the old key stays published and its tokens still verify; other algs are untouched', async () => {
    const before = Object.fromEntries(await Promise.all(SIGNING_ALGORITHMS.map(async (alg) => [alg, (await activeSigningKey(alg)).kid])));
    const app = await clientFor('ES256');
    const old = (await codeFlow(relyingParty(app, 'ES256'))).access_token;

    const rotation = await rotateSigningKey(new Date(), undefined, {}, 'ES256');
    expect(rotation).toEqual({ alg: 'ES256', kid: expect.any(String), retiredKid: before.ES256 });
    const published = (await publishedJwks()).keys;
    expect(published.filter((key) => key.alg === 'ES256').map((key) => key.kid)).toEqual([rotation.kid, before.ES256]);
    for (const alg of SIGNING_ALGORITHMS.filter((each) => each !== 'ES256')) expect((await activeSigningKey(alg)).kid).toBe(before[alg]);

    expect((await verifyAccessToken(old)).client_id).toBe(app.client.id);
    await jwtVerify(old, remoteJwks(), { issuer: ISSUER, algorithms: ['ES256'] });
    const fresh = (await codeFlow(relyingParty(app, 'ES256'))).access_token;
    expect(decodeProtectedHeader(fresh).kid).toBe(rotation.kid);
  });
});

describe('algorithm confusion', () => {
  /** A token with `header`, correctly signed (for the header's alg) with the RS256 key's private key. */
  async function forgedWithRsaKey(alg: 'PS256' | 'RS256', typ: 'JWT' | 'at+jwt', claims: object) {
    const rsa = await activeSigningKey('RS256');
    return signJwt({ alg, typ, kid: rsa.kid }, claims, rsa.privateKey);
  }

  it('userinfo, introspection, access-token and id_token_hint verification refuse a token whose alg is not its key’s', async () => {
    const app = await clientFor('RS256');
    const genuine = (await codeFlow(relyingParty(app, 'RS256'))).access_token;
    const claims = decodeJwt(genuine);
    // A valid PS256 signature by the RS256 key: only the alg/kid binding refuses it.
    const crossAlg = await forgedWithRsaKey('PS256', 'at+jwt', claims);
    const rsa = await activeSigningKey('RS256');
    const pem = createPublicKey(rsa.privateKey).export({ format: 'pem', type: 'spki' });
    const segment = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const hsInput = `${segment({ alg: 'HS256', typ: 'at+jwt', kid: rsa.kid })}.${segment(claims)}`;
    const hs256 = `${hsInput}.${createHmac('sha256', pem).update(hsInput).digest('base64url')}`;
    const none = `${segment({ alg: 'none', typ: 'at+jwt', kid: rsa.kid })}.${segment(claims)}.`;
    const es = await activeSigningKey('ES256');
    const edHeaderOnEcKey = await signJwt({ alg: 'ES256', typ: 'at+jwt', kid: es.kid }, claims, es.privateKey).then((token) =>
      token.replace(/^[^.]+/, segment({ alg: 'EdDSA', typ: 'at+jwt', kid: es.kid })),
    );

    expect((await userinfo(genuine)).status).toBe(200);
    for (const token of [crossAlg, hs256, none, edHeaderOnEcKey]) {
      const answer = await userinfo(token);
      expect(answer.status).toBe(401);
      expect(answer.headers.get('www-authenticate')).toContain('error="invalid_token"');
      expect((await introspect(app, token)).body).toEqual({ active: false });
      await expect(verifyAccessToken(token)).rejects.toMatchObject({ code: 'invalid_token' });
    }

    const idToken = await forgedWithRsaKey('PS256', 'JWT', { iss: ISSUER, sub: claims.sub, aud: app.client.id, iat: claims.iat, exp: claims.exp });
    await expect(verifyIdTokenHint(idToken)).rejects.toMatchObject({ code: 'invalid_request' });
  });
});

describe('hostile algorithm settings', () => {
  // null is not among them: it means "not chosen", the server's default (OPTARE_DEFAULT_SIGNING_ALG).
  const BAD_ALGS: unknown[] = ['none', 'HS256', 'RS512', 'rs256', 'ES256K', '', 42, ['RS256']];

  it('are refused by the settings schema and createClient, field by field, writing nothing', async () => {
    const before = await database.sql<{ count: string }>('SELECT count(*) FROM oauth_clients');
    for (const alg of BAD_ALGS) {
      for (const field of ['idTokenSignedResponseAlg', 'accessTokenSignedResponseAlg'] as const) {
        const parsed = clientSettingsSchema.safeParse({ name: 'x', redirectUris: [REDIRECT_URI], [field]: alg });
        expect(parsed.success, `${field}=${JSON.stringify(alg)}`).toBe(false);
        expect(parsed.error!.issues.map((issue) => issue.path[0])).toEqual([field]);
        expect(parsed.error!.issues[0]!.message).toContain('RS256, PS256, ES256, EdDSA');
        const created = await createClient({ name: 'x', redirectUris: [REDIRECT_URI], [field]: alg }, testContext());
        expect(created.ok).toBe(false);
        expect(!created.ok && Object.keys(created.fieldErrors)).toEqual([field]);
      }
    }
    expect(await database.sql('SELECT count(*) FROM oauth_clients')).toEqual(before);
  });

  it('are refused by the admin API with 400 and field errors, on create and on change', async () => {
    const writer = await newApiKey(['clients:write']);
    const settings = { name: 'API app', redirectUris: [REDIRECT_URI] };
    for (const alg of BAD_ALGS) {
      const body = JSON.stringify({ ...settings, idTokenSignedResponseAlg: alg });
      const refused = await expectRefused(await callApi(clientsRoute.POST, 'POST', '/clients', { key: writer.key, body }), 400);
      expect(Object.keys(refused.fieldErrors as object)).toEqual(['idTokenSignedResponseAlg']);
    }
    const created = await expectJson(
      await callApi(clientsRoute.POST, 'POST', '/clients', {
        key: writer.key,
        body: JSON.stringify({ ...settings, idTokenSignedResponseAlg: 'EdDSA', accessTokenSignedResponseAlg: 'PS256' }),
      }),
      201,
    );
    const client = created.client as { id: string; idTokenSignedResponseAlg: string; accessTokenSignedResponseAlg: string };
    expect(client).toMatchObject({ idTokenSignedResponseAlg: 'EdDSA', accessTokenSignedResponseAlg: 'PS256' });
    const params = { clientId: client.id };
    for (const alg of ['none', 'HS256']) {
      const body = JSON.stringify({ accessTokenSignedResponseAlg: alg });
      await expectRefused(await callApi(clientRoute.PATCH, 'PATCH', `/clients/${client.id}`, { key: writer.key, body, params }), 400);
    }
    const changed = await expectJson(
      await callApi(clientRoute.PATCH, 'PATCH', `/clients/${client.id}`, { key: writer.key, body: JSON.stringify({ accessTokenSignedResponseAlg: 'ES256' }), params }),
    );
    expect(changed.client).toMatchObject({ idTokenSignedResponseAlg: 'EdDSA', accessTokenSignedResponseAlg: 'ES256' });
    const [row] = await database.sql('SELECT id_token_signed_response_alg, access_token_signed_response_alg FROM oauth_clients WHERE id = $1', [client.id]);
    expect(row).toEqual({ id_token_signed_response_alg: 'EdDSA', access_token_signed_response_alg: 'ES256' });
  });
});

describe('client create --id-token-alg / --access-token-alg, and the console snippets', () => {
  const run = async (values: Record<string, unknown>) => clientCreate.run(await clientCreate.parseInput(values as OptionValues));

  it('stores the chosen algs, and reports an unknown one as a field error, creating nothing', async () => {
    const created = await run({ name: 'CLI app', 'redirect-uri': [REDIRECT_URI], 'id-token-alg': 'PS256', 'access-token-alg': 'EdDSA' });
    expect(created.ok && created.json).toMatchObject({ client: { idTokenSignedResponseAlg: 'PS256', accessTokenSignedResponseAlg: 'EdDSA' } });
    const before = await database.sql('SELECT count(*) FROM oauth_clients');
    for (const [option, field] of [
      ['id-token-alg', 'idTokenSignedResponseAlg'],
      ['access-token-alg', 'accessTokenSignedResponseAlg'],
    ] as const) {
      const refused = await run({ name: 'Bad', 'redirect-uri': [REDIRECT_URI], [option]: 'HS256' });
      expect(refused.ok).toBe(false);
      expect(!refused.ok && refused.json).toMatchObject({ ok: false, error: 'invalid_input', fieldErrors: { [field]: [expect.stringContaining('RS256, PS256, ES256, EdDSA')] } });
    }
    expect(await database.sql('SELECT count(*) FROM oauth_clients')).toEqual(before);
  });

  it('tell openid-client, Auth.js and Spring about an ID token alg other than RS256, and say nothing for RS256', () => {
    const client: SnippetClient = {
      issuer: ISSUER,
      clientId: 'oc_x',
      tokenEndpointAuthMethod: 'client_secret_basic',
      redirectUris: [REDIRECT_URI],
      grantTypes: ['authorization_code'],
      scopes: ['openid'],
      requirePkce: true,
    };
    const [openidClient, authJs, spring] = integrationSnippets({ ...client, idTokenSignedResponseAlg: 'ES256' }).map((snippet) => snippet.code);
    expect(openidClient).toContain(`{ client_secret: process.env.${SECRET_VARIABLE}, id_token_signed_response_alg: "ES256" },`);
    expect(authJs).toContain('client: { id_token_signed_response_alg: "ES256" },');
    expect(spring).toContain('SignatureAlgorithm.ES256');
    for (const snippet of [...integrationSnippets(client), ...integrationSnippets({ ...client, idTokenSignedResponseAlg: 'RS256' })]) {
      expect(snippet.code).not.toContain('id_token_signed_response_alg');
      expect(snippet.code).not.toContain('SignatureAlgorithm');
    }
  });
});

describe('OPTARE_SIGNING_KEY_RSA_BITS', () => {
  it('accepts 2048, 3072 or 4096 only, and sizes the next RSA keys (PS256 here) by it', async () => {
    expect(() => useTestConfig({ OPTARE_SIGNING_KEY_RSA_BITS: '1024' })).toThrow(/OPTARE_SIGNING_KEY_RSA_BITS: must be 2048, 3072 or 4096/);
    expect(() => useTestConfig({ OPTARE_SIGNING_KEY_RSA_BITS: '3000' })).toThrow(ConfigError);
    expect(useTestConfig({ OPTARE_ISSUER: ISSUER }).signingKeyRsaBits).toBe(2048);
    // Last in this file: a new configuration has a new encryption key, so only keys made from now on can sign.
    expect(useTestConfig({ OPTARE_ISSUER: ISSUER, OPTARE_SIGNING_KEY_RSA_BITS: '3072' }).signingKeyRsaBits).toBe(3072);
    const { kid } = await rotateSigningKey(new Date(), undefined, {}, 'PS256');
    forgetCachedSigningKeys();
    const jwk = (await publishedJwks()).keys.find((key) => key.kid === kid);
    expect(jwk).toMatchObject({ kty: 'RSA', alg: 'PS256' });
    expect(Buffer.from((jwk as { n: string }).n, 'base64url')).toHaveLength(384);
    const token = await signJwt({ alg: 'PS256', typ: 'JWT', kid }, { iss: ISSUER }, (await activeSigningKey('PS256')).privateKey);
    await jwtVerify(token, remoteJwks(), { issuer: ISSUER, algorithms: ['PS256'] });
    expect((await signingKeySummaries()).find((key) => key.kid === kid)!.keyType).toBe('RSA 3072');
  });
});
