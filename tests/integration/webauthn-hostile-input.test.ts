import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isoCBOR } from '@simplewebauthn/server/helpers';
import { authenticationOptions, registrationOptions, verifyAuthentication, verifyRegistration } from '../../lib/auth/webauthn';
import { openTestDatabase, type TestDatabase } from '../support/database';
import { useTestConfig } from '../support/config';
import { testContext } from '../support/context';
import { expectFailureAudited, ISSUER, newAuthenticator, newUser, userWithPasskey } from './webauthn-support';

/**
 * Whatever a browser (or a script pretending to be one) posts as the WebAuthn response, the
 * verification functions answer `{ ok: false, reason }` and audit it: they never throw, never
 * store anything, and never take more than a bounded amount of work.
 */

let database: TestDatabase;
beforeAll(async () => {
  useTestConfig({ OPTARE_ISSUER: ISSUER });
  database = await openTestDatabase();
});
afterAll(() => database.close());

type Json = Record<string, unknown> & { response: Record<string, unknown> };
type Payload = [label: string, make: (valid: Json) => unknown, reason: string];

const b64 = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64url');
const TEN_MB = 'A'.repeat(10 * 1024 * 1024);

function deeplyNested(depth: number): unknown {
  let value: unknown = {};
  for (let i = 0; i < depth; i += 1) value = { response: value };
  return value;
}

function circular(valid: Json): unknown {
  const copy: Record<string, unknown> = { ...valid };
  copy.self = copy;
  return copy;
}

const withResponse = (valid: Json, fields: Record<string, unknown>) => ({ ...valid, response: { ...valid.response, ...fields } });
const clientData = (text: string | Uint8Array) => (valid: Json) => withResponse(valid, { clientDataJSON: b64(text) });
const attestation = (value: Parameters<typeof isoCBOR.encode>[0]) => (valid: Json) =>
  withResponse(valid, { attestationObject: b64(isoCBOR.encode(value)) });
const GET = '"type":"webauthn.get"';

/** Values of the wrong kind, size or shape: refused before any cryptography. */
const SHAPE: Payload[] = [
  ['null', () => null, 'malformed_response'],
  ['undefined', () => undefined, 'malformed_response'],
  ['a number', () => 42, 'malformed_response'],
  ['NaN', () => Number.NaN, 'malformed_response'],
  ['true', () => true, 'malformed_response'],
  ['an empty string', () => '', 'malformed_response'],
  ['the JSON as a string', (valid) => JSON.stringify(valid), 'malformed_response'],
  ['an empty object', () => ({}), 'malformed_response'],
  ['an empty array', () => [], 'malformed_response'],
  ['an array of responses', (valid) => [valid, valid], 'malformed_response'],
  ['a BigInt', () => BigInt(1), 'malformed_response'],
  ['a circular object', circular, 'malformed_response'],
  ['a throwing toJSON', () => ({ toJSON: () => { throw new Error('boom'); } }), 'malformed_response'],
  ['a 10 MB string', () => TEN_MB, 'response_too_large'],
  ['a 10 MB field', (valid) => ({ ...valid, clientExtensionResults: { junk: TEN_MB } }), 'response_too_large'],
  ['a 70 kB clientDataJSON', (valid) => withResponse(valid, { clientDataJSON: 'A'.repeat(70 * 1024) }), 'response_too_large'],
  ['100 000 transports', (valid) => withResponse(valid, { transports: Array(100_000).fill('usb') }), 'response_too_large'],
  ['an object nested 100 000 deep', () => deeplyNested(100_000), 'malformed_response'],
  ['a numeric id', (valid) => ({ ...valid, id: 42, rawId: 42 }), 'malformed_response'],
  ['an id that is not rawId', (valid) => ({ ...valid, rawId: b64('other') }), 'malformed_response'],
  ['a padded id', (valid) => ({ ...valid, id: `${valid.id}=`, rawId: `${valid.id}=` }), 'malformed_response'],
  ['a base64 (not base64url) id', () => ({ id: 'ab+/', rawId: 'ab+/', type: 'public-key', response: {} }), 'malformed_response'],
  ['a non-canonical base64url id', (valid) => ({ ...valid, id: 'AB', rawId: 'AB' }), 'malformed_response'],
  ['a 1024-byte id', (valid) => ({ ...valid, id: b64(new Uint8Array(1024)), rawId: b64(new Uint8Array(1024)) }), 'malformed_response'],
  ['an empty id', (valid) => ({ ...valid, id: '', rawId: '' }), 'malformed_response'],
  ['type private-key', (valid) => ({ ...valid, type: 'private-key' }), 'malformed_response'],
  ['no response', (valid) => ({ ...valid, response: undefined }), 'malformed_response'],
  ['a null response', (valid) => ({ ...valid, response: null }), 'malformed_response'],
  ['a string response', (valid) => ({ ...valid, response: 'response' }), 'malformed_response'],
  ['a numeric clientDataJSON', (valid) => withResponse(valid, { clientDataJSON: 12345 }), 'malformed_response'],
  ['a clientDataJSON with spaces', (valid) => withResponse(valid, { clientDataJSON: 'ey J0 eXBl' }), 'malformed_response'],
  ['a non-ASCII clientDataJSON', (valid) => withResponse(valid, { clientDataJSON: 'é'.repeat(40) }), 'malformed_response'],
  ['an SQL clientDataJSON', (valid) => withResponse(valid, { clientDataJSON: "' OR 1=1 --" }), 'malformed_response'],
];

/** Well-formed JSON whose content is wrong. */
const CONTENT_BOTH: Payload[] = [
  ['clientDataJSON that is not JSON', clientData('not json'), 'client_data_invalid'],
  ['clientDataJSON that is a JSON array', clientData('[1,2]'), 'client_data_invalid'],
  ['clientDataJSON with a numeric challenge', clientData(`{${GET},"challenge":1,"origin":"x"}`), 'client_data_invalid'],
  ['clientDataJSON that is not UTF-8', clientData(Uint8Array.from([0x7b, 0xff, 0xfe, 0x7d])), 'client_data_invalid'],
  ['clientDataJSON with a string crossOrigin', clientData(`{${GET},"challenge":"x","origin":"x","crossOrigin":"false"}`), 'client_data_invalid'],
  ['a prototype-polluting clientDataJSON', clientData(`{"__proto__":{${GET},"polluted":true}}`), 'client_data_invalid'],
];

const CONTENT_ASSERTION: Payload[] = [
  ['10 bytes of authenticatorData', (valid) => withResponse(valid, { authenticatorData: b64(new Uint8Array(10)) }), 'malformed_response'],
  ['a missing signature', (valid) => withResponse(valid, { signature: undefined }), 'malformed_response'],
  ['a signature of zeros', (valid) => withResponse(valid, { signature: b64(new Uint8Array(72)) }), 'signature_invalid'],
  ['a signature that is not DER', (valid) => withResponse(valid, { signature: b64('not a signature') }), 'signature_invalid'],
  ['a 65-byte user handle', (valid) => withResponse(valid, { userHandle: b64(new Uint8Array(65)) }), 'malformed_response'],
  ['a numeric user handle', (valid) => withResponse(valid, { userHandle: 7 }), 'malformed_response'],
];

const CONTENT_REGISTRATION: Payload[] = [
  ['an attestationObject of random bytes', (valid) => withResponse(valid, { attestationObject: b64('not CBOR at all') }), 'malformed_response'],
  ['an attestationObject that is a CBOR integer', attestation(42), 'malformed_response'],
  ['an attestationObject without authData', attestation(new Map([['fmt', 'none']])), 'malformed_response'],
  ['authData of 10 bytes', attestation(new Map<string, string | Uint8Array>([['fmt', 'none'], ['authData', new Uint8Array(10)]])), 'malformed_response'],
  ['a string authData', attestation(new Map([['fmt', 'none'], ['authData', 'text']])), 'malformed_response'],
  ['transports that are not strings', (valid) => withResponse(valid, { transports: [1, {}] }), 'malformed_response'],
];

describe('passkey assertions from a hostile client', () => {
  describe.each(['authentication', 'second_factor'] as const)('%s', (purpose) => {
    // One user for every case: each must leave the stored passkey exactly as registered.
    let holder: Awaited<ReturnType<typeof userWithPasskey>>;
    beforeAll(async () => {
      holder = await userWithPasskey();
    });

    it.each([...SHAPE, ...CONTENT_BOTH, ...CONTENT_ASSERTION])('%s: refused without throwing, audited, nothing stored', async (_label, make, reason) => {
      const { user, authenticator } = holder;
      const userId = purpose === 'authentication' ? null : user.id;
      const { options, ceremonyToken } = await authenticationOptions(purpose, userId);
      const valid = authenticator.authenticate(options) as unknown as Json;
      const context = testContext();
      const result = await verifyAuthentication(purpose, ceremonyToken, make(structuredClone(valid)), userId, context);
      expect(result).toEqual({ ok: false, reason });
      await expectFailureAudited(database, context, { purpose, reason }, [ceremonyToken, options.challenge, valid.response.signature as string]);
      expect(await database.sql('SELECT counter, last_used_at FROM webauthn_credentials WHERE user_id = $1', [user.id])).toEqual([
        { counter: '0', last_used_at: null },
      ]);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  });
});

describe('passkey registrations from a hostile client', () => {
  let user: Awaited<ReturnType<typeof newUser>>;
  beforeAll(async () => {
    user = await newUser();
  });

  it.each([...SHAPE, ...CONTENT_BOTH, ...CONTENT_REGISTRATION])(
    '%s: refused without throwing, audited, nothing stored',
    async (_label, make, reason) => {
      const { options, ceremonyToken } = await registrationOptions(user);
      const valid = newAuthenticator().register(options) as unknown as Json;
      const context = testContext();
      const result = await verifyRegistration(user.id, ceremonyToken, make(structuredClone(valid)), 'Key', context);
      expect(result).toEqual({ ok: false, reason });
      await expectFailureAudited(database, context, { purpose: 'registration', reason, userId: user.id }, [ceremonyToken, options.challenge]);
      expect(await database.sql('SELECT 1 FROM webauthn_credentials WHERE user_id = $1', [user.id])).toEqual([]);
    },
  );

  it.each([
    ['a 10 MB nickname', TEN_MB],
    ['a nickname object', { toString: () => 'Key' }],
    ['a nickname array', ['Key']],
    ['a numeric nickname', 42],
    ['a NUL in the nickname', 'Key\u0000'],
  ])('%s is refused without throwing', async (_label, nickname) => {
    const { options, ceremonyToken } = await registrationOptions(user);
    const context = testContext();
    expect(await verifyRegistration(user.id, ceremonyToken, newAuthenticator().register(options), nickname, context)).toEqual({
      ok: false,
      reason: 'invalid_nickname',
    });
    await expectFailureAudited(database, context, { purpose: 'registration', reason: 'invalid_nickname', userId: user.id });
  });
});
