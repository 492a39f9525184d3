/**
 * The ASVS 5.0 Level 2 settings (README § "ASVS Level 2 settings"). Optare's defaults follow the
 * OAuth/OIDC specs; these settings give the stronger option:
 * - OPTARE_DEFAULT_SIGNING_ALG signs the tokens of every client that chose no alg (11.2.3, 11.3.1);
 *   a client's own choice still wins, and discovery still lists RS256 (OIDC Core §15.1).
 * - OPTARE_PKCE=always makes PKCE S256 mandatory for every client, whatever its requirePkce, and no
 *   client can be saved with PKCE off (10.4.6).
 * - OPTARE_MFA_REQUIRED=true with OPTARE_TRUSTED_DEVICE_DAYS=0: every sign-in of a user asks for the
 *   second factor, even from a browser remembered before the setting changed (6.3.3).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as clientsRoute from '../../app/api/admin/v1/clients/route';
import * as clientRoute from '../../app/api/admin/v1/clients/[clientId]/route';
import { dashboardData } from '../../lib/admin/dashboard';
import { CONSOLE_CLIENT_ID, ensureConsoleClient } from '../../lib/admin/console-client';
import { afterFirstFactor } from '../../lib/auth/second-factor';
import { confirmTotpEnrollment, startTotpEnrollment } from '../../lib/auth/totp';
import { trustBrowser } from '../../lib/auth/trusted-devices';
import type { OptionValues } from '../../lib/cli/command';
import { clientCreate } from '../../lib/cli/commands/client-create';
import { getConfig, installConfig, loadConfig, type Config } from '../../lib/config';
import { createClient, loadClient, updateClient } from '../../lib/oauth/clients/registration';
import { SIGNING_ALGORITHMS, type SigningAlg } from '../../lib/oauth/keys/algorithms';
import { ensureSigningKey, forgetCachedSigningKeys, publishedJwks } from '../../lib/oauth/keys/signing-keys';
import { discoveryDocument } from '../../lib/oauth/metadata';
import { testContext } from '../support/context';
import type { TestDatabase } from '../support/database';
import { totpAt } from '../support/totp';
import { callApi, expectJson, expectRefused, newApiKey } from './admin-users-support';
import {
  authorizeGet,
  authorizeParams,
  expectClientError,
  expectCode,
  newClient as newAuthorizeClient,
  signIn as browserSignIn,
  type SignedInUser,
} from './authorize-support';
import {
  authorize,
  ISSUER,
  newClient,
  newUser,
  openOAuthTestDatabase,
  REDIRECT_URI,
  signIn,
  token,
  type TestClient,
} from './token-endpoint.helpers';

let database: TestDatabase;
let browser: SignedInUser;

beforeAll(async () => {
  database = await openOAuthTestDatabase();
  const user = await newUser();
  browser = await browserSignIn({ id: user.id, email: user.email });
});
afterAll(() => database.close());

/** Runs `body` with some settings changed, keeping the encryption key (existing signing keys stay usable). */
async function withSettings<T>(patch: Partial<Config>, body: () => Promise<T>): Promise<T> {
  const before = getConfig();
  installConfig({ ...before, ...patch });
  try {
    return await body();
  } finally {
    installConfig(before);
  }
}

/** The header algs of a fresh code flow's ID token and access token, both verified against the published JWKS. */
async function tokenAlgs(app: TestClient): Promise<{ idToken: string; accessToken: string }> {
  const user = await newUser();
  const tokens = await signIn(app, user);
  const jwks = createLocalJWKSet(await publishedJwks());
  await jwtVerify(tokens.id_token!, jwks, { issuer: ISSUER, audience: app.client.id });
  await jwtVerify(tokens.access_token, jwks, { issuer: ISSUER, typ: 'at+jwt' });
  return { idToken: decodeProtectedHeader(tokens.id_token!).alg!, accessToken: decodeProtectedHeader(tokens.access_token).alg! };
}

const confidentialWithoutPkce = () => newAuthorizeClient({ firstParty: true, requirePkce: false });
const withoutChallenge = { code_challenge: undefined, code_challenge_method: undefined };

describe('OPTARE_DEFAULT_SIGNING_ALG', () => {
  it('is RS256 unless set, accepts RS256, PS256, ES256 or EdDSA, and refuses anything else at start', () => {
    const env = (value?: string) => ({
      OPTARE_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      OPTARE_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'optare-asvs-')),
      ...(value === undefined ? {} : { OPTARE_DEFAULT_SIGNING_ALG: value }),
    });
    expect(loadConfig(env()).defaultSigningAlg).toBe('RS256');
    for (const alg of SIGNING_ALGORITHMS) expect(loadConfig(env(alg)).defaultSigningAlg).toBe(alg);
    for (const bad of ['HS256', 'none', 'es256', 'RS512']) {
      expect(() => loadConfig(env(bad))).toThrow(/OPTARE_DEFAULT_SIGNING_ALG: must be RS256, PS256, ES256 or EdDSA/);
    }
  });

  it('has its key made at start, like the algs clients chose, so the first token does not wait for one', async () => {
    // PS256: no client in this file chose it.
    await database.sql("DELETE FROM signing_keys WHERE alg = 'PS256'");
    forgetCachedSigningKeys();
    await withSettings({ defaultSigningAlg: 'PS256' }, () => ensureSigningKey());
    const active = await database.sql<{ alg: string }>("SELECT alg FROM signing_keys WHERE retired_at IS NULL AND alg IN ('PS256', 'RS256') ORDER BY alg");
    expect(active.map((row) => row.alg)).toEqual(['PS256', 'RS256']);
  });

  it('signs the ID and access tokens of a client that chose no alg, from the code and client_credentials grants', async () => {
    const app = await newClient({ firstParty: true, grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'] });
    expect(app.client).toMatchObject({ idTokenSignedResponseAlg: null, accessTokenSignedResponseAlg: null });
    await withSettings({ defaultSigningAlg: 'ES256' }, async () => {
      expect(await tokenAlgs(app)).toEqual({ idToken: 'ES256', accessToken: 'ES256' });
      const machine = await token(app, { grant_type: 'client_credentials' });
      expect(machine.status).toBe(200);
      expect(decodeProtectedHeader(machine.body.access_token).alg).toBe('ES256');
    });
    // Resolved when each token is issued: the same client follows the setting back to RS256.
    expect(await tokenAlgs(app)).toEqual({ idToken: 'RS256', accessToken: 'RS256' });
  });

  it('leaves a client that chose its algs (RS256 for an RP that accepts nothing else) with its choice', async () => {
    const rs256Only = await newClient({ firstParty: true, idTokenSignedResponseAlg: 'RS256', accessTokenSignedResponseAlg: 'RS256' });
    const mixed = await newClient({ firstParty: true, idTokenSignedResponseAlg: 'EdDSA', accessTokenSignedResponseAlg: 'RS256' });
    await withSettings({ defaultSigningAlg: 'ES256' }, async () => {
      expect(await tokenAlgs(rs256Only)).toEqual({ idToken: 'RS256', accessToken: 'RS256' });
      expect(await tokenAlgs(mixed)).toEqual({ idToken: 'EdDSA', accessToken: 'RS256' });
    });
  });

  it('is what an unchosen alg goes back to: the admin API stores and returns null, and PATCH null resets a choice', async () => {
    const writer = await newApiKey(['clients:write']);
    const created = await expectJson(
      await callApi(clientsRoute.POST, 'POST', '/clients', { key: writer.key, body: JSON.stringify({ name: 'API app', redirectUris: [REDIRECT_URI], idTokenSignedResponseAlg: 'PS256' }) }),
      201,
    );
    expect(created.client).toMatchObject({ idTokenSignedResponseAlg: 'PS256', accessTokenSignedResponseAlg: null });
    const params = { clientId: created.client.id as string };
    const reset = await expectJson(
      await callApi(clientRoute.PATCH, 'PATCH', `/clients/${params.clientId}`, { key: writer.key, body: JSON.stringify({ idTokenSignedResponseAlg: null }), params }),
    );
    expect(reset.client).toMatchObject({ idTokenSignedResponseAlg: null, accessTokenSignedResponseAlg: null });
    const [row] = await database.sql('SELECT id_token_signed_response_alg, access_token_signed_response_alg FROM oauth_clients WHERE id = $1', [params.clientId]);
    expect(row).toEqual({ id_token_signed_response_alg: null, access_token_signed_response_alg: null });
  });

  it('is followed by the admin console’s own client (next-auth is told the same alg)', async () => {
    await ensureConsoleClient();
    const consoleClient = (await loadClient(CONSOLE_CLIENT_ID))!.record;
    expect(consoleClient).toMatchObject({ idTokenSignedResponseAlg: null, accessTokenSignedResponseAlg: null });
  });

  it('takes over clients stored with RS256 before it existed (then indistinguishable from "not chosen"); other algs stay', async () => {
    const oldDefault = await newClient({ idTokenSignedResponseAlg: 'RS256', accessTokenSignedResponseAlg: 'RS256' });
    const chosen = await newClient({ idTokenSignedResponseAlg: 'ES256', accessTokenSignedResponseAlg: 'PS256' });
    const sql = fs.readFileSync(path.resolve('prisma/migrations/20261130120244_default_signing_alg/migration.sql'), 'utf8').replace(/^--.*$/gm, '');
    // Re-run on rows as the previous schema stored them (its ALTERs are no-ops by now).
    for (const statement of sql.split(';').map((text) => text.trim()).filter(Boolean)) await database.sql(statement);
    const rows = await database.sql('SELECT id, id_token_signed_response_alg, access_token_signed_response_alg FROM oauth_clients WHERE id = ANY($1) ORDER BY id = $2', [
      [oldDefault.client.id, chosen.client.id],
      chosen.client.id,
    ]);
    expect(rows).toEqual([
      { id: oldDefault.client.id, id_token_signed_response_alg: null, access_token_signed_response_alg: null },
      { id: chosen.client.id, id_token_signed_response_alg: 'ES256', access_token_signed_response_alg: 'PS256' },
    ]);
  });

  it('keeps RS256 first in discovery’s id_token_signing_alg_values_supported, with every supported alg', async () => {
    for (const alg of ['ES256', 'PS256', 'EdDSA'] satisfies SigningAlg[]) {
      await withSettings({ defaultSigningAlg: alg }, async () => {
        const algs = discoveryDocument(ISSUER).id_token_signing_alg_values_supported as string[];
        expect(algs[0]).toBe('RS256');
        expect([...algs].sort()).toEqual([...SIGNING_ALGORITHMS].sort());
      });
    }
  });
});

describe('OPTARE_PKCE=always', () => {
  it('refuses a confidential client’s authorization request without code_challenge, at its redirect URI, even with requirePkce off', async () => {
    const client = await confidentialWithoutPkce();
    // The same request is fine with the default (per-client): the client relaxed PKCE.
    expectCode(await authorizeGet(authorizeParams(client, withoutChallenge), browser.cookie));
    await withSettings({ pkce: 'always' }, async () => {
      const url = expectClientError(await authorizeGet(authorizeParams(client, withoutChallenge), browser.cookie), 'invalid_request');
      expect(url.searchParams.get('error_description')).toMatch(/PKCE is required/);
      // With PKCE S256 the request goes through.
      expectCode(await authorizeGet(authorizeParams(client), browser.cookie));
    });
  });

  it('refuses at the token endpoint a code issued without a challenge before the switch (invalid_grant)', async () => {
    const app = await newClient({ firstParty: true, requirePkce: false });
    const user = await newUser();
    const redeem = async () => {
      const { code } = await authorize(app, user, { codeChallenge: null, codeChallengeMethod: null });
      return token(app, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI });
    };
    expect((await redeem()).status).toBe(200);
    await withSettings({ pkce: 'always' }, async () => {
      const refused = await redeem();
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ error: 'invalid_grant', error_description: 'This client must use PKCE.' });
    });
  });

  it('refuses to register or change a client with requirePkce off, from createClient, the admin API and the CLI, writing nothing', async () => {
    const settings = { name: 'Legacy app', redirectUris: [REDIRECT_URI], requirePkce: false };
    const relaxed = await createClient(settings, testContext());
    expect(relaxed.ok).toBe(true);
    const message = 'This server requires PKCE for every client (OPTARE_PKCE=always): turn "Require PKCE" on.';
    await withSettings({ pkce: 'always' }, async () => {
      const [before] = await database.sql<{ count: string }>('SELECT count(*) FROM oauth_clients');
      const refused = await createClient(settings, testContext());
      expect(refused).toEqual({ ok: false, fieldErrors: { requirePkce: [message] } });

      const writer = await newApiKey(['clients:write']);
      const api = await expectRefused(await callApi(clientsRoute.POST, 'POST', '/clients', { key: writer.key, body: JSON.stringify(settings) }), 400);
      expect(api.fieldErrors).toEqual({ requirePkce: [message] });

      const cli = await clientCreate.run(await clientCreate.parseInput({ name: 'CLI app', 'redirect-uri': [REDIRECT_URI], 'no-require-pkce': true } as unknown as OptionValues));
      expect(!cli.ok && cli.json).toMatchObject({ ok: false, error: 'invalid_input', fieldErrors: { requirePkce: [message] } });
      expect(await database.sql('SELECT count(*) FROM oauth_clients')).toEqual([before]);

      // A client with PKCE on cannot turn it off; one registered with it off must turn it on to be saved.
      const strict = await newClient();
      expect(await updateClient(strict.client.id, { requirePkce: false }, testContext())).toEqual({ ok: false, fieldErrors: { requirePkce: [message] } });
      const legacyId = relaxed.ok ? relaxed.client.id : '';
      expect(await updateClient(legacyId, { name: 'Legacy app 2' }, testContext())).toEqual({ ok: false, fieldErrors: { requirePkce: [message] } });
      expect(await updateClient(legacyId, { requirePkce: true }, testContext())).toMatchObject({ ok: true, client: { requirePkce: true } });
    });
  });

  it('stops the dashboard naming clients with PKCE off: they can no longer skip it', async () => {
    await confidentialWithoutPkce();
    const ids = async () => (await dashboardData()).warnings.map((warning) => warning.id);
    expect(await ids()).toContain('clients_without_pkce');
    await withSettings({ pkce: 'always' }, async () => expect(await ids()).not.toContain('clients_without_pkce'));
  });

  it('is per-client unless set, and refuses any other value at start', () => {
    const env = (value?: string) => ({
      OPTARE_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      OPTARE_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'optare-asvs-')),
      ...(value === undefined ? {} : { OPTARE_PKCE: value }),
    });
    expect(loadConfig(env()).pkce).toBe('per-client');
    expect(loadConfig(env('always')).pkce).toBe('always');
    expect(() => loadConfig(env('required'))).toThrow(/OPTARE_PKCE: must be per-client or always/);
  });
});

describe('OPTARE_MFA_REQUIRED=true with OPTARE_TRUSTED_DEVICE_DAYS=0', () => {
  it('asks every sign-in for the second factor, even from a browser remembered before the setting changed', async () => {
    const user = await newUser();
    const enrollment = await startTotpEnrollment(user);
    if (!enrollment.ok) throw new Error('enrollment refused');
    expect(await confirmTotpEnrollment(user.id, totpAt(enrollment.secret, new Date()), testContext())).toEqual({ ok: true });
    const remembered = await trustBrowser(user.id, testContext());
    expect(remembered).not.toBeNull();
    const options = { trustedDeviceToken: remembered, mfaRequired: true };
    // With remembering on, the browser skips the second factor.
    expect((await afterFirstFactor(user.id, ['pwd'], options)).next).toBe('session');

    await withSettings({ mfa: { ...getConfig().mfa, required: true, trustedDeviceDays: 0 } }, async () => {
      expect((await afterFirstFactor(user.id, ['pwd'], options)).next).toBe('second_factor');
      expect(await trustBrowser(user.id, testContext())).toBeNull();
      // A user without a second factor signs in only to enroll one.
      const newcomer = await newUser();
      expect(await afterFirstFactor(newcomer.id, ['pwd'], { trustedDeviceToken: undefined, mfaRequired: getConfig().mfa.required })).toEqual({
        next: 'session',
        amr: ['pwd'],
        mustEnroll: true,
      });
    });
  });
});
