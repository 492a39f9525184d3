import { describe, expect, it } from 'vitest';
import { cleanTransports, isCanonicalBase64Url, MAX_RESPONSE_JSON_CHARS, parseAuthenticationResponse, parseRegistrationResponse } from './response';

const b64 = (text: string | Uint8Array) => Buffer.from(text).toString('base64url');
const ID = b64(new Uint8Array(16).fill(1));

const assertion = {
  id: ID,
  rawId: ID,
  type: 'public-key',
  response: { clientDataJSON: b64('{}'), authenticatorData: b64(new Uint8Array(37)), signature: b64('sig'), userHandle: b64('user') },
  authenticatorAttachment: 'platform',
  clientExtensionResults: { credProps: { rk: true } },
};

const registration = {
  id: ID,
  rawId: ID,
  type: 'public-key',
  response: { clientDataJSON: b64('{}'), attestationObject: b64('att'), transports: ['usb', 'internal'] },
  clientExtensionResults: {},
};

describe('isCanonicalBase64Url', () => {
  it('accepts unpadded base64url that re-encodes to itself', () => {
    expect(isCanonicalBase64Url('AA')).toBe(true);
    expect(isCanonicalBase64Url('-_8')).toBe(true);
  });

  it.each(['', 'AA==', 'a+b/', 'A', 'AB', 'ab cd', 'é'])('refuses %j', (value) => {
    expect(isCanonicalBase64Url(value)).toBe(false);
  });
});

describe('parseAuthenticationResponse', () => {
  it('keeps only the checked fields and decodes them', () => {
    const parsed = parseAuthenticationResponse({ ...assertion, unexpected: 'x' });
    expect(parsed).toEqual({
      ok: true,
      value: {
        json: {
          id: ID,
          rawId: ID,
          type: 'public-key',
          response: { clientDataJSON: b64('{}'), authenticatorData: b64(new Uint8Array(37)), signature: b64('sig'), userHandle: b64('user') },
          clientExtensionResults: {},
        },
        credentialId: new Uint8Array(16).fill(1),
        clientDataJSON: new TextEncoder().encode('{}'),
        authenticatorData: new Uint8Array(37),
        userHandle: new TextEncoder().encode('user'),
      },
    });
  });

  it('treats a null or missing user handle as none', () => {
    for (const userHandle of [null, undefined]) {
      const parsed = parseAuthenticationResponse({ ...assertion, response: { ...assertion.response, userHandle } });
      expect(parsed.ok && parsed.value.userHandle).toBeNull();
      expect(parsed.ok && 'userHandle' in parsed.value.json.response).toBe(false);
    }
  });

  it('refuses a response larger than 64 kB as response_too_large, and one just under it by shape only', () => {
    const padding = (size: number) => ({ ...assertion, clientExtensionResults: { junk: 'x'.repeat(size) } });
    const base = JSON.stringify(padding(0)).length;
    expect(parseAuthenticationResponse(padding(MAX_RESPONSE_JSON_CHARS - base + 1))).toEqual({ ok: false, reason: 'response_too_large' });
    expect(parseAuthenticationResponse(padding(MAX_RESPONSE_JSON_CHARS - base))).toMatchObject({ ok: true });
  });

  it.each([
    ['different id and rawId', { ...assertion, rawId: b64('other') }],
    ['a wrong type', { ...assertion, type: 'password' }],
    ['a missing signature', { ...assertion, response: { ...assertion.response, signature: undefined } }],
    ['a 1024-byte credential id', { ...assertion, id: b64(new Uint8Array(1024)), rawId: b64(new Uint8Array(1024)) }],
    ['a 65-byte user handle', { ...assertion, response: { ...assertion.response, userHandle: b64(new Uint8Array(65)) } }],
    ['an array', [assertion]],
  ])('refuses %s as malformed_response', (_label, value) => {
    expect(parseAuthenticationResponse(value)).toEqual({ ok: false, reason: 'malformed_response' });
  });

  it('accepts a 1023-byte credential id', () => {
    const id = b64(new Uint8Array(1023));
    expect(parseAuthenticationResponse({ ...assertion, id, rawId: id })).toMatchObject({ ok: true });
  });
});

describe('parseRegistrationResponse', () => {
  it('keeps known transports only, once each, sorted', () => {
    const parsed = parseRegistrationResponse({ ...registration, response: { ...registration.response, transports: ['usb', 'carrier-pigeon', 'internal', 'usb'] } });
    expect(parsed.ok && parsed.value.transports).toEqual(['internal', 'usb']);
    expect(parsed.ok && parsed.value.json.response.transports).toEqual(['internal', 'usb']);
  });

  it('refuses a response without an attestation object', () => {
    expect(parseRegistrationResponse({ ...registration, response: { clientDataJSON: b64('{}') } })).toEqual({ ok: false, reason: 'malformed_response' });
  });

  it('refuses what is not JSON at all', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    for (const value of [undefined, BigInt(1), cycle, () => 1]) {
      expect(parseRegistrationResponse(value)).toEqual({ ok: false, reason: 'malformed_response' });
    }
  });
});

describe('cleanTransports', () => {
  it('handles a missing list', () => {
    expect(cleanTransports(undefined)).toEqual([]);
  });
});
