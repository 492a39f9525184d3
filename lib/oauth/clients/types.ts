import type { SigningAlg } from '../keys/algorithms';

/** The two OAuth client types of RFC 6749 §2.1. */
export const CLIENT_TYPES = ['confidential', 'public'] as const;
export type ClientType = (typeof CLIENT_TYPES)[number];

/** Token endpoint authentication methods Optare supports (OIDC Core §9, RFC 7591 §2). */
export const TOKEN_ENDPOINT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'] as const;
export type TokenEndpointAuthMethod = (typeof TOKEN_ENDPOINT_AUTH_METHODS)[number];

/** The methods that use a client secret (the only ones for which a secret is issued). */
export const SECRET_AUTH_METHODS: readonly TokenEndpointAuthMethod[] = ['client_secret_basic', 'client_secret_post'];

/** Grant types a client may be allowed to use. */
export const CLIENT_GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials'] as const;
export type ClientGrantType = (typeof CLIENT_GRANT_TYPES)[number];

/** Algorithms accepted for private_key_jwt client assertions. */
export const CLIENT_ASSERTION_ALGORITHMS = ['RS256', 'PS256', 'ES256'] as const;

/**
 * A registered OAuth client as the rest of Optare sees it. Never carries the secret hash: only
 * lib/oauth/clients/authenticate.ts compares secrets.
 */
export interface OAuthClientRecord {
  id: string;
  name: string;
  type: ClientType;
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  corsOrigins: string[];
  /** RFC 8707: the APIs the client may get access tokens for; empty = only Optare itself. */
  resources: string[];
  grantTypes: string[];
  scopes: string[];
  /** Seconds. */
  accessTokenTtl: number;
  /** Seconds. */
  refreshTokenIdleTtl: number;
  /** Seconds. */
  refreshTokenMaxTtl: number;
  requirePkce: boolean;
  firstParty: boolean;
  /** Public keys for private_key_jwt; null for every other method. */
  jwks: { keys: unknown[] } | null;
  /**
   * The JWS alg of this client's ID tokens (id_token_signed_response_alg) and access tokens; null:
   * not chosen, the instance default (OPTARE_DEFAULT_SIGNING_ALG; see ./signing-algs.ts).
   */
  idTokenSignedResponseAlg: SigningAlg | null;
  accessTokenSignedResponseAlg: SigningAlg | null;
  enabled: boolean;
}
