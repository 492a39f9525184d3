import { ACR_VALUES_SUPPORTED } from '../auth/authentication-methods';
import { SUPPORTED_CLAIMS, SUPPORTED_SCOPES } from './scopes';
import { SIGNING_ALGORITHMS } from './keys/algorithms';
import { ProtocolResponse } from '../http/protocol-message';

/** Endpoint paths under the issuer, as advertised in discovery. */
export const ENDPOINT_PATHS = {
  authorization: '/oauth/authorize',
  token: '/oauth/token',
  userinfo: '/oauth/userinfo',
  jwks: '/oauth/jwks',
  revocation: '/oauth/revoke',
  introspection: '/oauth/introspect',
  endSession: '/oauth/logout',
} as const;

const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'];
/** Algorithms accepted for private_key_jwt client assertions. */
const CLIENT_ASSERTION_ALGS = ['RS256', 'PS256', 'ES256'];

/**
 * OpenID Connect Discovery 1.0 §3 and RFC 8414 §2 metadata: one document serves both
 * /.well-known/openid-configuration and /.well-known/oauth-authorization-server. Every URL is
 * built from the configured issuer, never from the request (spoofed Host or X-Forwarded-*
 * headers change nothing). Only what Optare really does is listed.
 */
export function discoveryDocument(issuer: string) {
  const url = (path: string) => `${issuer}${path}`;
  return {
    issuer,
    authorization_endpoint: url(ENDPOINT_PATHS.authorization),
    token_endpoint: url(ENDPOINT_PATHS.token),
    userinfo_endpoint: url(ENDPOINT_PATHS.userinfo),
    jwks_uri: url(ENDPOINT_PATHS.jwks),
    revocation_endpoint: url(ENDPOINT_PATHS.revocation),
    introspection_endpoint: url(ENDPOINT_PATHS.introspection),
    end_session_endpoint: url(ENDPOINT_PATHS.endSession),
    scopes_supported: [...SUPPORTED_SCOPES],
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
    subject_types_supported: ['public'],
    // RS256 first: OIDC requires it, and it is every client's default (OIDC Dynamic Registration §2).
    id_token_signing_alg_values_supported: [...SIGNING_ALGORITHMS],
    token_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS],
    token_endpoint_auth_signing_alg_values_supported: [...CLIENT_ASSERTION_ALGS],
    revocation_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS],
    revocation_endpoint_auth_signing_alg_values_supported: [...CLIENT_ASSERTION_ALGS],
    introspection_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS],
    introspection_endpoint_auth_signing_alg_values_supported: [...CLIENT_ASSERTION_ALGS],
    code_challenge_methods_supported: ['S256'],
    claims_supported: [...SUPPORTED_CLAIMS],
    acr_values_supported: [...ACR_VALUES_SUPPORTED],
    claim_types_supported: ['normal'],
    claims_parameter_supported: true,
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
    require_request_uri_registration: false,
    authorization_response_iss_parameter_supported: true,
    prompt_values_supported: ['none', 'login', 'consent', 'select_account'],
  };
}

export type DiscoveryDocument = ReturnType<typeof discoveryDocument>;

// Discovery and the JWKS are public documents: any origin may read them (CORS without
// credentials), and caches may keep them for a few minutes.
const PUBLIC_DOCUMENT_HEADERS = {
  'cache-control': 'public, max-age=300',
  'access-control-allow-origin': '*',
} as const;

/** A public, cacheable JSON document (discovery, JWKS). */
function publicDocumentResponse(body: unknown): ProtocolResponse {
  return ProtocolResponse.json(body, 200, PUBLIC_DOCUMENT_HEADERS);
}

/**
 * A public document's response, serialized again only when its version changes: discovery
 * changes with the issuer, the JWKS with the set of published kids (a kid is the key's
 * thumbprint, so the same kid is always the same JWK). Served as is to every request.
 */
export function publicDocumentCache(): (version: string, body: () => unknown) => ProtocolResponse {
  let last: { version: string; response: ProtocolResponse } | null = null;
  return (version, body) => {
    if (last?.version !== version) last = { version, response: publicDocumentResponse(body()) };
    return last.response;
  };
}

/** The CORS preflight answer for a public document. */
export function publicDocumentPreflight(): ProtocolResponse {
  return new ProtocolResponse(204, {
    'access-control-allow-origin': '*',
    'access-control-allow-methods': 'GET, HEAD, OPTIONS',
    'access-control-allow-headers': '*',
    'access-control-max-age': '86400',
  });
}
