import { createHash, generateKeyPairSync, createHmac, randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT, type JWTPayload } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { authenticateClient, ClientAuthenticationFailed } from '../../lib/oauth/clients/authenticate';
import { createClient } from '../../lib/oauth/clients/registration';
import type { OAuthClientRecord } from '../../lib/oauth/clients/types';
import { openTestDatabase, type TestDatabase } from '../support/database';
import { useTestConfig } from '../support/config';
import { testContext } from '../support/context';

// private_key_jwt (RFC 7523 §2.2 and §3, OIDC Core §9): a JWT signed by a registered key,
// iss = sub = client_id, aud = the token endpoint or the issuer, short-lived, single-use.

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

let database: TestDatabase;
let issuer: string;
let endpoint: string;
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const unregistered = generateKeyPairSync('rsa', { modulusLength: 2048 });
let client: OAuthClientRecord;

beforeAll(async () => {
  issuer = useTestConfig().issuer;
  endpoint = `${issuer}/oauth/token`;
  database = await openTestDatabase();
  const result = await createClient(
    {
      name: 'Signed',
      redirectUris: ['https://signed.example/cb'],
      tokenEndpointAuthMethod: 'private_key_jwt',
      jwks: {
        keys: [
          { ...rsa.publicKey.export({ format: 'jwk' }), kid: 'rsa-1', use: 'sig' },
          { ...ec.publicKey.export({ format: 'jwk' }), kid: 'ec-1' },
        ],
      },
    },
    testContext(),
  );
  if (!result.ok) throw new Error(JSON.stringify(result.fieldErrors));
  expect(result.secret).toBeNull();
  client = result.client;
});
afterAll(() => database.close());
afterEach(() => {
  vi.useRealTimers();
});

interface AssertionOptions {
  key?: KeyObject;
  alg?: string;
  kid?: string | null;
  claims?: JWTPayload;
}

async function assertion({ key = rsa.privateKey, alg = 'RS256', kid = 'rsa-1', claims = {} }: AssertionOptions = {}) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ iss: client.id, sub: client.id, aud: endpoint, jti: randomUUID(), iat: now, exp: now + 60, ...claims })
    .setProtectedHeader({ alg, ...(kid === null ? {} : { kid }) })
    .sign(key);
}

function request(jwt: string, extra: Record<string, string> = {}) {
  return {
    headers: new Headers(),
    params: new Map(Object.entries({ client_assertion_type: JWT_BEARER, client_assertion: jwt, ...extra })),
    endpoint,
  };
}

async function expectRefused(jwt: string | Promise<string>, reason: RegExp, extra: Record<string, string> = {}) {
  const error = await authenticateClient(request(await jwt, extra)).then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ClientAuthenticationFailed);
  expect((error as ClientAuthenticationFailed).description).toBe('Client authentication failed.');
  expect((error as ClientAuthenticationFailed).basicAttempted).toBe(false);
  expect((error as { privateCause: { reason: string } }).privateCause.reason).toMatch(reason);
}

/** A compact JWS with any header, signed with HMAC (or not at all). */
function handMade(header: Record<string, unknown>, claims: Record<string, unknown>, hmacKey?: string) {
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${b64(header)}.${b64(claims)}`;
  const signature = hmacKey ? createHmac('sha256', hmacKey).update(input).digest('base64url') : '';
  return `${input}.${signature}`;
}

describe('private_key_jwt: accepted', () => {
  it('accepts RS256 with aud = the token endpoint', async () => {
    await expect(authenticateClient(request(await assertion()))).resolves.toMatchObject({
      method: 'private_key_jwt',
      client: { id: client.id },
    });
  });

  it('accepts PS256, ES256, aud = the issuer, an aud array, a matching client_id parameter and no kid', async () => {
    await authenticateClient(request(await assertion({ alg: 'PS256' })));
    await authenticateClient(request(await assertion({ key: ec.privateKey, alg: 'ES256', kid: 'ec-1' })));
    await authenticateClient(request(await assertion({ claims: { aud: issuer } })));
    await authenticateClient(request(await assertion({ claims: { aud: ['https://other.example', endpoint] } })));
    await authenticateClient(request(await assertion(), { client_id: client.id }));
    await authenticateClient(request(await assertion({ kid: null })));
  });

  it('accepts an audience the endpoint adds (the token endpoint, at the revocation endpoint)', async () => {
    const revocation = { ...request(await assertion()), endpoint: `${issuer}/oauth/revoke`, audiences: [endpoint] };
    await expect(authenticateClient(revocation)).resolves.toMatchObject({ method: 'private_key_jwt' });
  });

  it('tries each registered key when several fit and the header names none', async () => {
    const second = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const twoKeys = await createClient(
      {
        name: 'Two keys',
        redirectUris: ['https://two.example/cb'],
        tokenEndpointAuthMethod: 'private_key_jwt',
        jwks: { keys: [rsa.publicKey.export({ format: 'jwk' }), second.publicKey.export({ format: 'jwk' })] },
      },
      testContext(),
    );
    if (!twoKeys.ok) throw new Error('create failed');
    const claims = { iss: twoKeys.client.id, sub: twoKeys.client.id };
    await expect(authenticateClient(request(await assertion({ key: second.privateKey, kid: null, claims })))).resolves.toMatchObject({
      client: { id: twoKeys.client.id },
    });
    await expectRefused(assertion({ key: unregistered.privateKey, kid: null, claims }), /jwt_ERR_JWS_SIGNATURE_VERIFICATION_FAILED/);
  });
});

describe('private_key_jwt: refused', () => {
  it('refuses a wrong audience', async () => {
    await expectRefused(assertion({ claims: { aud: 'https://evil.example/token' } }), /jwt_ERR_JWT_CLAIM_VALIDATION_FAILED/);
    await expectRefused(assertion({ claims: { aud: `${issuer}/oauth/introspect` } }), /jwt_ERR_JWT_CLAIM_VALIDATION_FAILED/);
  });

  it('refuses an expired assertion', async () => {
    const now = Math.floor(Date.now() / 1000);
    await expectRefused(assertion({ claims: { iat: now - 600, exp: now - 60 } }), /jwt_ERR_JWT_EXPIRED/);
  });

  it('refuses an assertion valid for more than five minutes', async () => {
    const now = Math.floor(Date.now() / 1000);
    await expectRefused(assertion({ claims: { exp: now + 3600 } }), /exp_too_far/);
  });

  it('refuses an assertion without exp or jti, or with iat or nbf in the future', async () => {
    const now = Math.floor(Date.now() / 1000);
    await expectRefused(assertion({ claims: { exp: undefined } }), /jwt_ERR_JWT_CLAIM_VALIDATION_FAILED/);
    await expectRefused(assertion({ claims: { jti: undefined } }), /jwt_ERR_JWT_CLAIM_VALIDATION_FAILED/);
    await expectRefused(assertion({ claims: { iat: now + 120 } }), /jwt_ERR_JWT_CLAIM_VALIDATION_FAILED|iat_in_future/);
    await expectRefused(assertion({ claims: { nbf: now + 120 } }), /jwt_ERR_JWT_CLAIM_VALIDATION_FAILED/);
  });

  it('refuses a replayed jti, even once the first use is over', async () => {
    const jwt = await assertion();
    await authenticateClient(request(jwt));
    await expectRefused(jwt, /jti_replayed/);
    // A new assertion that reuses the jti is refused too.
    const { jti } = JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as { jti: string };
    await expectRefused(assertion({ claims: { jti } }), /jti_replayed/);
  });

  it('accepts a jti again only after its assertion has expired', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const jti = randomUUID();
    await authenticateClient(request(await assertion({ claims: { jti } })));
    vi.setSystemTime(Date.now() + 10 * 60_000);
    await expect(authenticateClient(request(await assertion({ claims: { jti } })))).resolves.toBeDefined();
  });

  it('refuses an assertion signed by an unregistered key', async () => {
    await expectRefused(assertion({ key: unregistered.privateKey }), /jwt_ERR_JWS_SIGNATURE_VERIFICATION_FAILED/);
    await expectRefused(assertion({ key: unregistered.privateKey, kid: null }), /jwt_ERR_JWS_SIGNATURE_VERIFICATION_FAILED/);
    await expectRefused(assertion({ key: unregistered.privateKey, kid: 'other' }), /jwt_ERR_JWKS_NO_MATCHING_KEY/);
  });

  it('never uses a key embedded in the header', async () => {
    const jwk = unregistered.publicKey.export({ format: 'jwk' });
    const jwt = await new SignJWT({ iss: client.id, sub: client.id, aud: endpoint, jti: randomUUID(), exp: Math.floor(Date.now() / 1000) + 60 })
      .setProtectedHeader({ alg: 'RS256', jwk: { kty: 'RSA', n: jwk.n!, e: jwk.e! } })
      .sign(unregistered.privateKey);
    await expectRefused(jwt, /jwt_ERR_JWS_SIGNATURE_VERIFICATION_FAILED/);
  });

  it('refuses alg none and HS256 (with the public key as the HMAC secret)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: client.id, sub: client.id, aud: endpoint, jti: randomUUID(), exp: now + 60 };
    await expectRefused(handMade({ alg: 'none' }, claims), /jwt_ERR_JOSE_ALG_NOT_ALLOWED/);
    const publicPem = rsa.publicKey.export({ format: 'pem', type: 'spki' }).toString();
    await expectRefused(handMade({ alg: 'HS256', kid: 'rsa-1' }, claims, publicPem), /jwt_ERR_JOSE_ALG_NOT_ALLOWED/);
    // RS512 is a fine algorithm, but not one Optare advertises.
    await expectRefused(assertion({ alg: 'RS512' }), /jwt_ERR_JOSE_ALG_NOT_ALLOWED/);
  });

  it('refuses an assertion whose sub differs from iss, or whose client_id parameter differs', async () => {
    await expectRefused(assertion({ claims: { sub: 'someone-else' } }), /iss_sub_mismatch/);
    await expectRefused(assertion(), /client_id_mismatch/, { client_id: 'oc_other' });
  });

  it('refuses an unknown client, an unsupported assertion type and garbage', async () => {
    await expectRefused(assertion({ claims: { iss: 'oc_unknown', sub: 'oc_unknown' } }), /unknown_client/);
    await expectRefused(assertion(), /unsupported_assertion_type/, { client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:saml2-bearer' });
    await expectRefused('not-a-jwt', /malformed_assertion/);
  });

  it('refuses client_assertion without its type as invalid_request', async () => {
    const params = new Map([['client_assertion', await assertion()]]);
    await expect(authenticateClient({ headers: new Headers(), params, endpoint })).rejects.toMatchObject({ code: 'invalid_request' });
  });

  it('refuses an assertion from a client registered for a secret method', async () => {
    const other = await createClient({ name: 'Secret', redirectUris: ['https://s.example/cb'] }, testContext());
    if (!other.ok) throw new Error('create failed');
    const jwt = await assertion({ claims: { iss: other.client.id, sub: other.client.id } });
    await expectRefused(jwt, /method_mismatch:private_key_jwt/);
  });

  it('refuses a disabled client', async () => {
    const disabled = await createClient(
      {
        name: 'Disabled',
        redirectUris: ['https://d.example/cb'],
        tokenEndpointAuthMethod: 'private_key_jwt',
        jwks: { keys: [{ ...rsa.publicKey.export({ format: 'jwk' }), kid: 'rsa-1' }] },
        enabled: false,
      },
      testContext(),
    );
    if (!disabled.ok) throw new Error('create failed');
    await expectRefused(assertion({ claims: { iss: disabled.client.id, sub: disabled.client.id } }), /client_disabled/);
  });
});

describe('the jti store (shared by every instance, in the database)', () => {
  it('lets exactly one of several simultaneous uses of one assertion through', async () => {
    const jwt = await assertion();
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => authenticateClient(request(jwt))));
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
  });

  it('keeps only the SHA-256 of each jti, until its assertion expires', async () => {
    const jti = randomUUID();
    await authenticateClient(request(await assertion({ claims: { jti } })));
    const rows = await database.sql<{ jti_hash: Buffer; expires_at: Date }>('SELECT jti_hash, expires_at FROM client_assertion_jtis WHERE client_id = $1', [client.id]);
    const mine = rows.find((row) => Buffer.from(row.jti_hash).equals(createHash('sha256').update(jti).digest()));
    expect(mine).toBeDefined();
    expect(JSON.stringify(rows)).not.toContain(jti);
    expect(mine!.expires_at.getTime()).toBeGreaterThan(Date.now());
  });
});
