import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { clientSettingsSchema, corsOriginProblem, redirectUriProblem, type ClientSettingsInput } from './settings-schema';

const base: ClientSettingsInput = { name: 'Example', redirectUris: ['https://app.example.com/callback'] };

function errorsOf(input: unknown): Record<string, string[]> {
  const result = clientSettingsSchema.safeParse(input);
  if (result.success) return {};
  const errors: Record<string, string[]> = {};
  for (const issue of result.error.issues) (errors[String(issue.path[0] ?? 'form')] ??= []).push(issue.message);
  return errors;
}

const rsaPublicJwk = () => generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' });
const rsaPrivateJwk = () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });

describe('clientSettingsSchema: good clients', () => {
  it('applies the documented defaults to a confidential client', () => {
    expect(clientSettingsSchema.parse(base)).toEqual({
      name: 'Example',
      type: 'confidential',
      tokenEndpointAuthMethod: 'client_secret_basic',
      redirectUris: ['https://app.example.com/callback'],
      postLogoutRedirectUris: [],
      corsOrigins: [],
      resources: [],
      grantTypes: ['authorization_code', 'refresh_token'],
      scopes: ['openid', 'profile', 'email', 'offline_access'],
      accessTokenTtl: 3600,
      refreshTokenIdleTtl: 14 * 86400,
      refreshTokenMaxTtl: 90 * 86400,
      requirePkce: true,
      firstParty: false,
      jwks: null,
      idTokenSignedResponseAlg: null,
      accessTokenSignedResponseAlg: null,
      enabled: true,
    });
  });

  it('gives a public client the method none', () => {
    expect(clientSettingsSchema.parse({ ...base, type: 'public' }).tokenEndpointAuthMethod).toBe('none');
  });

  it('accepts loopback http, query strings, native private-use schemes and CORS origins', () => {
    const parsed = clientSettingsSchema.parse({
      name: '  Native app  ',
      type: 'public',
      redirectUris: [
        'http://127.0.0.1:51004/callback',
        'http://localhost/cb',
        'http://[::1]:8080/cb',
        'com.example.app:/oauth2redirect',
        'https://app.example.com/cb?tenant=a',
      ],
      postLogoutRedirectUris: ['com.example.app:/logged-out', 'https://app.example.com/'],
      corsOrigins: ['https://app.example.com', 'http://localhost:5173'],
      scopes: ['openid', 'openid'],
    });
    expect(parsed.name).toBe('Native app');
    expect(parsed.scopes).toEqual(['openid']);
  });

  it('accepts a machine client with client_credentials and no redirect URI', () => {
    const parsed = clientSettingsSchema.parse({ name: 'Batch job', grantTypes: ['client_credentials'], scopes: [] });
    expect(parsed.redirectUris).toEqual([]);
  });

  it('accepts private_key_jwt with a public JWK Set, keeping only public members', () => {
    const jwk = { ...rsaPublicJwk(), kid: 'k1', use: 'sig', alg: 'PS256', x5c: ['ignored'] };
    const parsed = clientSettingsSchema.parse({ ...base, tokenEndpointAuthMethod: 'private_key_jwt', jwks: { keys: [jwk] } });
    expect(parsed.jwks?.keys[0]).toEqual({ kty: 'RSA', kid: 'k1', use: 'sig', alg: 'PS256', n: jwk.n, e: jwk.e });
  });

  it('allows confidential clients to turn PKCE off', () => {
    expect(clientSettingsSchema.parse({ ...base, requirePkce: false }).requirePkce).toBe(false);
  });
});

describe('clientSettingsSchema: refused redirect URIs', () => {
  const cases: [string, string, RegExp][] = [
    ['a fragment', 'https://app.example.com/cb#frag', /fragment/],
    ['an empty fragment', 'https://app.example.com/cb#', /fragment/],
    ['http on a public host', 'http://app.example.com/cb', /must use https/],
    ['http on a host merely starting with localhost', 'http://localhost.evil.example/cb', /must use https/],
    ['a relative URI', '/callback', /absolute/],
    ['a scheme-relative URI', '//app.example.com/cb', /absolute/],
    ['userinfo', 'https://user:pass@app.example.com/cb', /user name or password/],
    ['a bare @ userinfo', 'https://@app.example.com/cb', /user name or password/],
    ['javascript:', 'javascript:alert(1)', /must use https/],
    ['data:', 'data:text/html,<script>alert(1)</script>', /must use https/],
    ['file:', 'file:///etc/passwd', /must use https/],
    ['a custom scheme for a confidential client', 'com.example.app:/callback', /only public/],
    ['more than 2048 characters', `https://app.example.com/${'a'.repeat(2048)}`, /longer than 2048/],
    ['whitespace', 'https://app.example.com/c b', /spaces/],
    ['an embedded tab (the URL parser would drop it)', 'https://app.exa\tmple.com/cb', /spaces/],
    ['non-ASCII', 'https://exämple.com/cb', /non-ASCII/],
    ['a backslash', 'https://app.example.com\\@evil.example/cb', /backslash/],
    ['https without //', 'https:app.example.com/cb', /absolute/],
  ];
  for (const [kind, uri, message] of cases) {
    it(`refuses ${kind}`, () => {
      const errors = errorsOf({ ...base, redirectUris: [uri] });
      expect(errors.redirectUris?.join(' ')).toMatch(message);
      // The same rules apply to post-logout redirect URIs.
      expect(errorsOf({ ...base, postLogoutRedirectUris: [uri] }).postLogoutRedirectUris?.join(' ')).toMatch(message);
    });
  }

  it('refuses duplicates, more than 20, and no redirect URI at all for authorization_code', () => {
    expect(errorsOf({ ...base, redirectUris: ['https://a.example/cb', 'https://a.example/cb'] }).redirectUris).toEqual([
      'Redirect URI 2 is the same as number 1.',
    ]);
    const many = Array.from({ length: 21 }, (_, i) => `https://a.example/cb${i}`);
    expect(errorsOf({ ...base, redirectUris: many }).redirectUris).toBeDefined();
    expect(errorsOf({ name: 'x' }).redirectUris).toEqual(['Register at least one redirect URI.']);
  });

  it('names the offending URI by position', () => {
    expect(errorsOf({ ...base, redirectUris: ['https://ok.example/cb', 'http://bad.example/cb'] }).redirectUris).toEqual([
      'Redirect URI 2 must use https (plain http is allowed only for localhost, 127.0.0.1 and [::1]).',
    ]);
  });

  it('redirectUriProblem accepts a custom scheme for public clients only', () => {
    expect(redirectUriProblem('com.example.app:/cb', 'public')).toBeNull();
    expect(redirectUriProblem('com.example.app:/cb', 'confidential')).toMatch(/only public/);
    expect(redirectUriProblem('myapp:/cb', 'public')).toMatch(/private-use scheme/);
  });
});

describe('clientSettingsSchema: resources (RFC 8707)', () => {
  it('accepts absolute https URIs, http on loopback, paths and queries', () => {
    const resources = ['https://api.example.com/', 'https://api.example.com/v1?tenant=a', 'http://127.0.0.1:8080/api'];
    expect(clientSettingsSchema.parse({ ...base, resources }).resources).toEqual(resources);
  });

  it.each([
    ['a fragment', 'https://api.example.com/#x'],
    ['a relative URI', '/api'],
    ['no scheme', 'api.example.com'],
    ['http on a public host', 'http://api.example.com/'],
    ['a URN', 'urn:example:api'],
    ['a wildcard', 'https://*.example.com/'],
    ['userinfo', 'https://user@api.example.com/'],
    ['whitespace', 'https://api.example.com/ x'],
    ['nothing', ''],
  ])('refuses %s', (_label, resource) => {
    const result = clientSettingsSchema.safeParse({ ...base, resources: [resource] });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['resources', 0]);
  });

  it('refuses a repeated resource and more than 20', () => {
    expect(clientSettingsSchema.safeParse({ ...base, resources: ['https://a.example/', 'https://a.example/'] }).success).toBe(false);
    const many = Array.from({ length: 21 }, (_, index) => `https://api${index}.example.com/`);
    expect(clientSettingsSchema.safeParse({ ...base, resources: many }).success).toBe(false);
  });
});

describe('clientSettingsSchema: other refusals', () => {
  it('refuses CORS origins that are not bare origins', () => {
    for (const origin of [
      'https://app.example.com/',
      'https://app.example.com/path',
      'https://app.example.com?x=1',
      'https://APP.example.com',
      'https://app.example.com:443',
      'http://app.example.com',
      'null',
      '*',
    ]) {
      expect(corsOriginProblem(origin), origin).not.toBeNull();
      expect(errorsOf({ ...base, corsOrigins: [origin] }).corsOrigins, origin).toBeDefined();
    }
    expect(corsOriginProblem('https://app.example.com:8443')).toBeNull();
  });

  it('refuses a JWKS holding private key material', () => {
    const errors = errorsOf({ ...base, tokenEndpointAuthMethod: 'private_key_jwt', jwks: { keys: [rsaPrivateJwk()] } });
    expect(errors.jwks?.join(' ')).toMatch(/private key material \(d, p, q, dp, dq, qi\)/);
  });

  it('refuses symmetric keys, short RSA keys, wrong curves and a malformed set', () => {
    const jwksErrors = (jwks: unknown) => errorsOf({ ...base, tokenEndpointAuthMethod: 'private_key_jwt', jwks }).jwks;
    expect(jwksErrors({ keys: [{ kty: 'oct', k: 'c2VjcmV0' }] })?.join(' ')).toMatch(/private key material/);
    const short = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' });
    expect(jwksErrors({ keys: [short] })?.join(' ')).toMatch(/shorter than 2048/);
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'jwk' });
    expect(jwksErrors({ keys: [p384] })?.join(' ')).toMatch(/P-256/);
    expect(jwksErrors([rsaPublicJwk()])).toBeDefined();
    expect(jwksErrors({ keys: [] })).toBeDefined();
    expect(jwksErrors({ keys: [{ ...rsaPublicJwk(), alg: 'HS256' }] })?.join(' ')).toMatch(/alg/);
  });

  it('requires a JWKS exactly for private_key_jwt', () => {
    expect(errorsOf({ ...base, tokenEndpointAuthMethod: 'private_key_jwt' }).jwks).toBeDefined();
    expect(errorsOf({ ...base, jwks: { keys: [rsaPublicJwk()] } }).jwks).toBeDefined();
  });

  it('refuses client_credentials and non-none methods for public clients', () => {
    expect(errorsOf({ ...base, type: 'public', grantTypes: ['authorization_code', 'client_credentials'] }).grantTypes).toBeDefined();
    expect(errorsOf({ ...base, type: 'public', tokenEndpointAuthMethod: 'client_secret_basic' }).tokenEndpointAuthMethod).toBeDefined();
    expect(errorsOf({ ...base, tokenEndpointAuthMethod: 'none' }).tokenEndpointAuthMethod).toBeDefined();
  });

  it('refuses requirePkce false on a public client', () => {
    expect(errorsOf({ ...base, type: 'public', requirePkce: false }).requirePkce).toEqual([
      'A public client must use PKCE: only confidential clients may turn it off.',
    ]);
  });

  it('refuses unknown grants and scopes, refresh_token without authorization_code, bad lifetimes and names', () => {
    expect(errorsOf({ ...base, grantTypes: ['implicit'] }).grantTypes).toBeDefined();
    expect(errorsOf({ ...base, grantTypes: ['password'] }).grantTypes).toBeDefined();
    expect(errorsOf({ ...base, grantTypes: ['refresh_token', 'client_credentials'] }).grantTypes).toBeDefined();
    expect(errorsOf({ ...base, scopes: ['openid', 'admin'] }).scopes?.join(' ')).toMatch(/admin/);
    expect(errorsOf({ ...base, accessTokenTtl: 59 }).accessTokenTtl).toBeDefined();
    expect(errorsOf({ ...base, accessTokenTtl: 86401 }).accessTokenTtl).toBeDefined();
    expect(errorsOf({ ...base, accessTokenTtl: 60.5 }).accessTokenTtl).toBeDefined();
    expect(errorsOf({ ...base, refreshTokenIdleTtl: 100 * 86400, refreshTokenMaxTtl: 90 * 86400 }).refreshTokenIdleTtl).toBeDefined();
    expect(errorsOf({ ...base, name: '' }).name).toBeDefined();
    expect(errorsOf({ ...base, name: 'x'.repeat(101) }).name).toBeDefined();
    expect(errorsOf({ ...base, name: 'evil\u202Ename' }).name).toBeDefined();
    expect(errorsOf({ ...base, type: 'trusted' }).type).toBeDefined();
  });
});
