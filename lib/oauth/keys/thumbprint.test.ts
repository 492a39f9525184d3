import { createHash, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { jwkThumbprint } from './thumbprint';

describe('jwkThumbprint', () => {
  it('is the RFC 7638 §3.1 example thumbprint, whatever other members the key carries', () => {
    const n =
      '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMs' +
      'tn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajr' +
      'n1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw';
    expect(jwkThumbprint({ kty: 'RSA', n, e: 'AQAB' })).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
    const withExtras = { kty: 'RSA', n, e: 'AQAB', alg: 'RS256', kid: '2011-04-29', use: 'sig' };
    expect(jwkThumbprint(withExtras)).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });

  it('is the RFC 8037 §A.3 example thumbprint of an Ed25519 key', () => {
    const jwk = { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' };
    expect(jwkThumbprint(jwk)).toBe('kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k');
  });

  it('hashes an EC key\'s crv, kty, x and y in that order, without whitespace', () => {
    const { crv, x, y } = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
    const canonical = `{"crv":"${crv}","kty":"EC","x":"${x}","y":"${y}"}`;
    const jwk = { kty: 'EC', y, x, crv, alg: 'ES256' };
    expect(jwkThumbprint(jwk)).toBe(createHash('sha256').update(canonical).digest('base64url'));
  });
});
