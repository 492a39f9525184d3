import { describe, expect, it } from 'vitest';
import { checkClientData } from './client-data';

const EXPECTED = { type: 'webauthn.get', challenge: 'c2VydmVyLWNoYWxsZW5nZQ', origin: 'https://id.example.test' } as const;
const encode = (value: unknown) => new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));
const good = { type: EXPECTED.type, challenge: EXPECTED.challenge, origin: EXPECTED.origin, crossOrigin: false };

describe('checkClientData', () => {
  it('accepts the expected type, challenge and origin, with or without crossOrigin: false and extra keys', () => {
    expect(checkClientData(encode(good), EXPECTED)).toEqual({ ok: true });
    expect(checkClientData(encode({ type: good.type, challenge: good.challenge, origin: good.origin, other_keys_can_be_added_here: 'x' }), EXPECTED)).toEqual({ ok: true });
  });

  it.each([
    ['not JSON', 'not json'],
    ['a JSON array', [good]],
    ['JSON null', null],
    ['a numeric challenge', { ...good, challenge: 1 }],
    ['a missing origin', { type: good.type, challenge: good.challenge }],
    ['a string crossOrigin', { ...good, crossOrigin: 'false' }],
  ])('refuses %s as client_data_invalid', (_label, value) => {
    expect(checkClientData(encode(value), EXPECTED)).toEqual({ ok: false, reason: 'client_data_invalid' });
  });

  it('refuses bytes that are not UTF-8', () => {
    expect(checkClientData(Uint8Array.from([0x7b, 0xff, 0x7d]), EXPECTED)).toEqual({ ok: false, reason: 'client_data_invalid' });
  });

  it('says which check failed', () => {
    expect(checkClientData(encode({ ...good, type: 'webauthn.create' }), EXPECTED)).toEqual({ ok: false, reason: 'type_mismatch' });
    expect(checkClientData(encode({ ...good, challenge: 'b3RoZXI' }), EXPECTED)).toEqual({ ok: false, reason: 'challenge_mismatch' });
    expect(checkClientData(encode({ ...good, origin: 'https://evil.example' }), EXPECTED)).toEqual({ ok: false, reason: 'origin_mismatch' });
    expect(checkClientData(encode({ ...good, origin: 'https://id.example.test/' }), EXPECTED)).toEqual({ ok: false, reason: 'origin_mismatch' });
  });

  it('refuses a ceremony from inside a frame', () => {
    expect(checkClientData(encode({ ...good, crossOrigin: true }), EXPECTED)).toEqual({ ok: false, reason: 'cross_origin' });
    expect(checkClientData(encode({ ...good, topOrigin: 'https://evil.example' }), EXPECTED)).toEqual({ ok: false, reason: 'cross_origin' });
  });

  it('is not fooled by a __proto__ key', () => {
    const polluted = '{"__proto__":{"type":"webauthn.get","challenge":"c2VydmVyLWNoYWxsZW5nZQ","origin":"https://id.example.test"}}';
    expect(checkClientData(encode(polluted), EXPECTED)).toEqual({ ok: false, reason: 'client_data_invalid' });
  });
});
