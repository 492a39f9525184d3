import { describe, expect, it } from 'vitest';
import { relyingPartyOf, SUPPORTED_ALGORITHM_IDS } from './relying-party';

describe('relyingPartyOf', () => {
  it('takes the RP ID from the issuer host and the origin from its scheme, host and port', () => {
    expect(relyingPartyOf('https://id.example.com')).toEqual({ rpID: 'id.example.com', rpName: 'Optare', origin: 'https://id.example.com' });
    expect(relyingPartyOf('http://localhost:3000')).toEqual({ rpID: 'localhost', rpName: 'Optare', origin: 'http://localhost:3000' });
  });

  it('ignores an issuer path and a default port', () => {
    expect(relyingPartyOf('https://example.com:443/auth')).toEqual({ rpID: 'example.com', rpName: 'Optare', origin: 'https://example.com' });
  });
});

describe('SUPPORTED_ALGORITHM_IDS', () => {
  it('offers EdDSA, ES256 and RS256 and nothing else', () => {
    expect(SUPPORTED_ALGORITHM_IDS).toEqual([-8, -7, -257]);
  });
});
