import { describe, expect, it } from 'vitest';
import { discoveryDocument } from '../../lib/oauth/metadata';
import { discoveryRoute } from '../../lib/oauth/routes';
import { SUPPORTED_CLAIMS, SUPPORTED_SCOPES } from '../../lib/oauth/scopes';
import { GET as openidConfiguration, OPTIONS as openidPreflight } from '../../app/.well-known/openid-configuration/route';
import { GET as authorizationServerMetadata } from '../../app/.well-known/oauth-authorization-server/route';
import { useTestConfig } from '../support/config';

// Discovery needs no database: these tests check the document and the two thin routes.
const ISSUER = 'https://id.example.test';

describe('discoveryDocument', () => {
  const document = discoveryDocument(ISSUER);

  it('names the issuer and puts every endpoint under it', () => {
    expect(document.issuer).toBe(ISSUER);
    const urls = Object.entries(document).filter(([name]) => name.endsWith('_endpoint') || name === 'jwks_uri');
    expect(urls.map(([name]) => name).sort()).toEqual([
      'authorization_endpoint',
      'end_session_endpoint',
      'introspection_endpoint',
      'jwks_uri',
      'revocation_endpoint',
      'token_endpoint',
      'userinfo_endpoint',
    ]);
    for (const [, url] of urls) expect(url).toMatch(new RegExp(`^${ISSUER.replace(/\./g, '\\.')}/oauth/[a-z]+$`));
    expect(document).toMatchObject({
      authorization_endpoint: `${ISSUER}/oauth/authorize`,
      token_endpoint: `${ISSUER}/oauth/token`,
      userinfo_endpoint: `${ISSUER}/oauth/userinfo`,
      jwks_uri: `${ISSUER}/oauth/jwks`,
      revocation_endpoint: `${ISSUER}/oauth/revoke`,
      introspection_endpoint: `${ISSUER}/oauth/introspect`,
      end_session_endpoint: `${ISSUER}/oauth/logout`,
    });
  });

  it('advertises exactly what Optare supports', () => {
    expect(document.response_types_supported).toEqual(['code']);
    expect(document.response_modes_supported).toEqual(['query']);
    expect(document.grant_types_supported).toEqual(['authorization_code', 'refresh_token', 'client_credentials']);
    expect(document.code_challenge_methods_supported).toEqual(['S256']);
    expect(document.subject_types_supported).toEqual(['public']);
    expect(document.id_token_signing_alg_values_supported).toEqual(['RS256', 'PS256', 'ES256', 'EdDSA']);
    expect(document.scopes_supported).toEqual(SUPPORTED_SCOPES);
    expect(document.scopes_supported).toEqual(expect.arrayContaining(['openid', 'profile', 'email', 'offline_access']));
    expect(document.claims_supported).toEqual(SUPPORTED_CLAIMS);
    expect(document).toMatchObject({
      claims_parameter_supported: true,
      request_parameter_supported: false,
      request_uri_parameter_supported: false,
      require_request_uri_registration: false,
      authorization_response_iss_parameter_supported: true,
      prompt_values_supported: ['none', 'login', 'consent', 'select_account'],
      claim_types_supported: ['normal'],
    });
    for (const endpoint of ['token', 'revocation', 'introspection'] as const) {
      expect(document[`${endpoint}_endpoint_auth_methods_supported`]).toEqual(['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none']);
      // RFC 8414 §2: "none" must not appear among the signing algorithms.
      expect(document[`${endpoint}_endpoint_auth_signing_alg_values_supported`]).toEqual(['RS256', 'PS256', 'ES256']);
    }
    // Nothing promised that Optare does not do.
    for (const absent of ['userinfo_signing_alg_values_supported', 'request_object_signing_alg_values_supported', 'service_documentation', 'registration_endpoint']) {
      expect(document).not.toHaveProperty(absent);
    }
    expect(document.response_types_supported).not.toContain('token');
    expect(JSON.stringify(document)).not.toContain('"plain"');
  });
});

describe('the discovery routes', () => {
  it('serve the document of the configured issuer, whatever the request says, as public cacheable JSON', async () => {
    useTestConfig({ OPTARE_ISSUER: ISSUER });
    // The handler takes no request at all: Host and X-Forwarded-* cannot reach the URLs.
    expect(discoveryRoute.GET.length).toBe(0);
    const spoofed = new Request('http://evil.example/.well-known/openid-configuration', {
      headers: { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'http' },
    });
    for (const route of [openidConfiguration, authorizationServerMetadata]) {
      const response = await route(spoofed);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      expect(response.headers.get('cache-control')).toBe('public, max-age=300');
      expect(await response.json()).toEqual(discoveryDocument(ISSUER));
    }
    const preflight = await openidPreflight(spoofed);
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
  });
});
