import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../lib/crypto/hash';
import { authenticateClient, basicAttempted, ClientAuthenticationFailed } from '../../lib/oauth/clients/authenticate';
import { invalidateClientCache } from '../../lib/oauth/clients/cache';
import { createClient, rotateClientSecret } from '../../lib/oauth/clients/registration';
import type { OAuthClientRecord } from '../../lib/oauth/clients/types';
import { oauthErrorResponse } from '../../lib/oauth/respond';
import { openTestDatabase, type TestDatabase } from '../support/database';
import { useTestConfig } from '../support/config';
import { testContext } from '../support/context';

// client_secret_basic, client_secret_post and none (RFC 6749 §2.3, OIDC Core §9). private_key_jwt
// has its own file.

let database: TestDatabase;
let endpoint: string;
beforeAll(async () => {
  endpoint = `${useTestConfig().issuer}/oauth/token`;
  database = await openTestDatabase();
});
afterAll(() => database.close());

const formEncode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
const basicHeader = (id: string, secret: string, encode = formEncode) =>
  `Basic ${Buffer.from(`${encode(id)}:${encode(secret)}`).toString('base64')}`;

function request(params: Record<string, string>, headers: Record<string, string> | Headers = {}) {
  return { headers: headers instanceof Headers ? headers : new Headers(headers), params: new Map(Object.entries(params)), endpoint };
}

async function register(settings: Record<string, unknown> = {}) {
  const result = await createClient({ name: 'App', redirectUris: ['https://app.example.com/cb'], ...settings }, testContext());
  if (!result.ok) throw new Error(JSON.stringify(result.fieldErrors));
  return result;
}

/** Expects invalid_client with the generic description, failing for `reason`. */
async function expectFailure(promise: Promise<unknown>, reason: string, basic: boolean) {
  const error = await promise.then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ClientAuthenticationFailed);
  const failed = error as ClientAuthenticationFailed;
  expect(failed.code).toBe('invalid_client');
  expect(failed.status).toBe(401);
  expect(failed.description).toBe('Client authentication failed.');
  expect(failed.basicAttempted).toBe(basic);
  expect((failed.privateCause as { reason: string }).reason).toBe(reason);
}

async function expectInvalidRequest(promise: Promise<unknown>, message: RegExp) {
  await expect(promise).rejects.toMatchObject({ code: 'invalid_request', description: expect.stringMatching(message) });
}

describe('client_secret_basic', () => {
  let client: OAuthClientRecord;
  let secret: string;
  beforeAll(async () => {
    const created = await register();
    client = created.client;
    secret = created.secret!;
  });

  it('authenticates with the right secret', async () => {
    const result = await authenticateClient(request({ grant_type: 'authorization_code' }, { Authorization: basicHeader(client.id, secret) }));
    expect(result.method).toBe('client_secret_basic');
    expect(result.client).toMatchObject({ id: client.id, name: 'App' });
    expect(result.client).not.toHaveProperty('secretHash');
  });

  it('accepts a client_id parameter naming the same client, and the scheme in any case', async () => {
    const header = basicHeader(client.id, secret).replace('Basic', 'bAsIc');
    await expect(authenticateClient(request({ client_id: client.id }, { Authorization: header }))).resolves.toMatchObject({
      method: 'client_secret_basic',
    });
  });

  it('refuses a wrong secret, asking for a Basic challenge', async () => {
    await expectFailure(authenticateClient(request({}, { Authorization: basicHeader(client.id, `${secret}x`) })), 'wrong_secret', true);
  });

  it('refuses an unknown client the same way', async () => {
    await expectFailure(authenticateClient(request({}, { Authorization: basicHeader('oc_unknown', secret) })), 'unknown_client', true);
  });

  it('refuses a client_id parameter naming another client', async () => {
    await expectFailure(
      authenticateClient(request({ client_id: 'oc_other' }, { Authorization: basicHeader(client.id, secret) })),
      'client_id_mismatch',
      true,
    );
  });

  it('refuses malformed Basic headers as invalid_client with the challenge', async () => {
    const malformed = [
      'Basic',
      'Basic !!!notbase64',
      `Basic ${Buffer.from('no-colon').toString('base64')}`,
      `Basic ${Buffer.from(`${client.id}:`).toString('base64')}`,
      `Basic ${Buffer.from(`:${secret}`).toString('base64')}`,
      `Basic ${Buffer.from(`${client.id}:%E0%A4%A`).toString('base64')}`,
      `Basic ${Buffer.from([0x61, 0x3a, 0xff, 0xfe]).toString('base64')}`,
      `Basic ${Buffer.from(`${client.id}:${secret}`).toString('base64')} extra`,
    ];
    for (const header of malformed) {
      await expectFailure(authenticateClient(request({}, { Authorization: header })), 'malformed_basic', true);
    }
  });

  it('refuses two Authorization headers as invalid_request', async () => {
    const headers = new Headers();
    headers.append('Authorization', basicHeader(client.id, secret));
    headers.append('Authorization', basicHeader(client.id, secret));
    await expectInvalidRequest(authenticateClient(request({}, headers)), /more than one Authorization header/);
  });

  it('refuses Basic together with client_secret (two methods at once) as invalid_request', async () => {
    await expectInvalidRequest(
      authenticateClient(request({ client_id: client.id, client_secret: secret }, { Authorization: basicHeader(client.id, secret) })),
      /more than one client authentication method/,
    );
  });

  it('refuses client_secret_post from a client registered for client_secret_basic', async () => {
    await expectFailure(authenticateClient(request({ client_id: client.id, client_secret: secret })), 'method_mismatch:client_secret_post', false);
  });

  it('refuses a confidential client that sends only its client_id', async () => {
    await expectFailure(authenticateClient(request({ client_id: client.id })), 'method_mismatch:none', false);
  });

  it('refuses a request with no client authentication at all', async () => {
    await expectFailure(authenticateClient(request({ grant_type: 'client_credentials' })), 'no_client_authentication', false);
  });

  it('ignores Authorization schemes other than Basic', async () => {
    await expectFailure(
      authenticateClient(request({ client_id: client.id }, { Authorization: 'Bearer abc' })),
      'method_mismatch:none',
      false,
    );
  });

  it('makes the endpoint answer 401 with WWW-Authenticate: Basic', async () => {
    const error = await authenticateClient(request({}, { Authorization: basicHeader(client.id, 'wrong') })).catch((e: unknown) => e);
    expect(basicAttempted(error)).toBe(true);
    const response = oauthErrorResponse(error, { basicAttempted: basicAttempted(error) });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Basic /);
    expect(await response.json()).toEqual({ error: 'invalid_client', error_description: 'Client authentication failed.' });
  });
});

describe('Basic credentials are form-urlencoded before base64 (RFC 6749 §2.3.1)', () => {
  // Optare's own ids and secrets are base64url, but a client registered with special
  // characters (as another server might issue them) must round-trip.
  const id = 'legacy client:é+/%';
  const secret = 'p@ss:w+rd/%é ~!';
  beforeAll(async () => {
    await database.sql(
      `INSERT INTO oauth_clients (id, name, type, token_endpoint_auth_method, secret_hash, redirect_uris,
         post_logout_redirect_uris, cors_origins, grant_types, scopes, updated_at)
       VALUES ($1, 'Legacy', 'confidential', 'client_secret_basic', $2, '{https://legacy.example/cb}', '{}', '{}',
         '{authorization_code}', '{openid}', now())`,
      [id, Buffer.from(sha256(secret))],
    );
  });

  it('decodes the id and the secret', async () => {
    const result = await authenticateClient(request({}, { Authorization: basicHeader(id, secret) }));
    expect(result.client.id).toBe(id);
  });

  it('does not accept them unencoded: the colon in the id splits it in the wrong place', async () => {
    await expectFailure(authenticateClient(request({}, { Authorization: basicHeader(id, secret, (value) => value) })), 'malformed_basic', true);
  });

  it('refuses an unencoded plus sign in the secret', async () => {
    await database.sql(
      `INSERT INTO oauth_clients (id, name, type, token_endpoint_auth_method, secret_hash, redirect_uris,
         post_logout_redirect_uris, cors_origins, grant_types, scopes, updated_at)
       VALUES ('plus-client', 'Plus', 'confidential', 'client_secret_basic', $1, '{https://legacy.example/cb}', '{}', '{}',
         '{authorization_code}', '{openid}', now())`,
      [Buffer.from(sha256('a+b'))],
    );
    await expect(authenticateClient(request({}, { Authorization: basicHeader('plus-client', 'a+b') }))).resolves.toBeDefined();
    await expectFailure(
      authenticateClient(request({}, { Authorization: `Basic ${Buffer.from('plus-client:a+b').toString('base64')}` })),
      'wrong_secret',
      true,
    );
  });
});

describe('client_secret_post', () => {
  let client: OAuthClientRecord;
  let secret: string;
  beforeAll(async () => {
    ({ client, secret } = (await register({ tokenEndpointAuthMethod: 'client_secret_post' })) as { client: OAuthClientRecord; secret: string });
  });

  it('authenticates with client_id and client_secret parameters', async () => {
    await expect(authenticateClient(request({ client_id: client.id, client_secret: secret }))).resolves.toMatchObject({
      method: 'client_secret_post',
      client: { id: client.id },
    });
  });

  it('refuses a wrong secret without a Basic challenge', async () => {
    await expectFailure(authenticateClient(request({ client_id: client.id, client_secret: 'nope' })), 'wrong_secret', false);
  });

  it('refuses client_secret without client_id', async () => {
    await expectFailure(authenticateClient(request({ client_secret: secret })), 'missing_client_id', false);
  });

  it('refuses Basic from a client registered for client_secret_post', async () => {
    await expectFailure(authenticateClient(request({}, { Authorization: basicHeader(client.id, secret) })), 'method_mismatch:client_secret_basic', true);
  });

  it('refuses client_secret together with a client assertion as invalid_request', async () => {
    await expectInvalidRequest(
      authenticateClient(
        request({
          client_id: client.id,
          client_secret: secret,
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: 'a.b.c',
        }),
      ),
      /more than one client authentication method/,
    );
  });
});

describe('none (public clients)', () => {
  let client: OAuthClientRecord;
  beforeAll(async () => {
    client = (await register({ type: 'public' })).client;
  });

  it('identifies a public client by its client_id alone', async () => {
    await expect(authenticateClient(request({ client_id: client.id }))).resolves.toMatchObject({ method: 'none', client: { id: client.id } });
  });

  it('refuses a public client that presents a secret', async () => {
    await expectFailure(authenticateClient(request({ client_id: client.id, client_secret: 'anything' })), 'method_mismatch:client_secret_post', false);
    await expectFailure(authenticateClient(request({}, { Authorization: basicHeader(client.id, 'anything') })), 'method_mismatch:client_secret_basic', true);
  });

  it('refuses an unknown client_id', async () => {
    await expectFailure(authenticateClient(request({ client_id: 'oc_nobody' })), 'unknown_client', false);
  });
});

describe('disabled clients and secret rotation', () => {
  it('refuses a disabled client with the right secret', async () => {
    const { client, secret } = await register();
    await database.sql('UPDATE oauth_clients SET enabled = false WHERE id = $1', [client.id]);
    invalidateClientCache(); // as after CLIENT_CACHE_TTL_MS in a process that did not make the change
    await expectFailure(authenticateClient(request({}, { Authorization: basicHeader(client.id, secret!) })), 'client_disabled', true);
  });

  it('rotate-secret: the new secret works and the old one stops working at once', async () => {
    const { client, secret: old } = await register();
    const header = (s: string) => ({ Authorization: basicHeader(client.id, s) });
    await authenticateClient(request({}, header(old!))); // now cached
    const rotated = await rotateClientSecret(client.id, testContext());
    if (!rotated.ok) throw new Error(rotated.error);
    expect(rotated.secret).not.toBe(old);
    await expectFailure(authenticateClient(request({}, header(old!))), 'wrong_secret', true);
    await expect(authenticateClient(request({}, header(rotated.secret)))).resolves.toMatchObject({ client: { id: client.id } });
  });
});
