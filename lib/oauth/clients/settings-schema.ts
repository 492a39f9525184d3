import { z } from 'zod';
import { SUPPORTED_SCOPES } from '../scopes';
import { SIGNING_ALGORITHMS } from '../keys/algorithms';
import { codePointLength, hasUnsafeCharacters } from '../../validation/text';
import {
  CLIENT_ASSERTION_ALGORITHMS,
  CLIENT_GRANT_TYPES,
  CLIENT_TYPES,
  TOKEN_ENDPOINT_AUTH_METHODS,
  type ClientType,
  type TokenEndpointAuthMethod,
} from './types';

// The admin console's forms validate with this schema in the browser too: no server-only imports
// here, and no code generation (Optare's CSP forbids 'unsafe-eval'; see lib/validation/account.ts).
z.config({ jitless: true });

/**
 * The settings of an OAuth client, their limits and defaults. The CLI, the admin console and
 * createClient all validate with `clientSettingsSchema`; the server adds one check the browser
 * cannot make (that each JWK imports as a key; see registration.ts).
 */
export const CLIENT_NAME_MAX = 100;
export const URI_MAX = 2048;
export const REDIRECT_URIS_MAX = 20;
export const CORS_ORIGINS_MAX = 20;
export const RESOURCES_MAX = 20;
export const JWKS_KEYS_MAX = 10;
export const RSA_MIN_MODULUS_BITS = 2048;

const DAY = 86_400;
/** Seconds. Access tokens never outlive a retired signing key (MAX_TOKEN_TTL_SECONDS). */
export const ACCESS_TOKEN_TTL = { min: 60, max: DAY, default: 3600 } as const;
export const REFRESH_TOKEN_IDLE_TTL = { min: 300, max: 365 * DAY, default: 14 * DAY } as const;
export const REFRESH_TOKEN_MAX_TTL = { min: 300, max: 365 * DAY, default: 90 * DAY } as const;

export const DEFAULT_CLIENT_SCOPES: readonly string[] = ['openid', 'profile', 'email', 'offline_access'];
export const DEFAULT_CLIENT_GRANT_TYPES: readonly string[] = ['authorization_code', 'refresh_token'];

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Hosts for which plain http is acceptable: the traffic never leaves the machine (RFC 8252 §7.3). */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname.toLowerCase());
}

const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;

/**
 * Why `value` cannot be a redirect URI (or post-logout redirect URI) of a client of this type,
 * as a phrase to follow "Redirect URI 2"; null when it can. Rules: RFC 6749 §3.1.2 (absolute,
 * no fragment), RFC 9700 §2.1 and §4.1 (https, exact matching), RFC 8252 §7.1 and §8.3
 * (private-use schemes and loopback http for native apps).
 */
export function redirectUriProblem(value: string, clientType: ClientType): string | null {
  if (value.length === 0) return 'is empty';
  if (value.length > URI_MAX) return `is longer than ${URI_MAX} characters`;
  // The authorization endpoint compares URIs as strings, so what is stored must be what a client
  // sends: no spaces or tabs the URL parser would silently drop, no backslashes it would turn
  // into slashes, no Unicode it would re-encode.
  if (!PRINTABLE_ASCII.test(value)) {
    return 'contains spaces, control or non-ASCII characters (write hosts in punycode, percent-encode the rest)';
  }
  if (value.includes('\\')) return 'contains a backslash';
  if (hasWildcard(value)) return 'contains a wildcard (*): Optare compares redirect URIs exactly, so register each one';
  const scheme = SCHEME.exec(value)?.[1]?.toLowerCase();
  let url: URL | null = null;
  try {
    url = new URL(value);
  } catch {
    // reported below
  }
  if (!scheme || !url) return 'is not an absolute URL';
  if (value.includes('#')) return 'must not contain a fragment (#)';
  if (url.username || url.password || /^[^:]+:\/\/[^/?#]*@/.test(value)) return 'must not contain a user name or password';
  if (scheme === 'https' || scheme === 'http') {
    if (!/^https?:\/\/[^/?#]/i.test(value)) return 'is not an absolute URL';
    if (scheme === 'http' && !isLoopbackHost(url.hostname)) {
      return 'must use https (plain http is allowed only for localhost, 127.0.0.1 and [::1])';
    }
    return null;
  }
  // RFC 8252 §7.1: a private-use scheme is a reverse domain name, so it contains a period. That
  // also rules out javascript:, data:, file:, vbscript: and every other scheme a browser acts on.
  if (!scheme.includes('.')) {
    return 'must use https, http on a loopback host or (native apps) a private-use scheme such as com.example.app:/callback';
  }
  if (clientType !== 'public') return 'uses a private-use scheme, which only public (native app) clients may register';
  return null;
}

/**
 * Why `value` cannot be an allowed CORS origin; null when it can. An origin is exactly what
 * browsers send in the Origin header: scheme://host[:port], lower case, no default port, no path.
 */
export function corsOriginProblem(value: string): string | null {
  if (hasWildcard(value)) return 'contains a wildcard (*): Optare compares origins exactly, so register each one';
  if (!PRINTABLE_ASCII.test(value) || value.length > URI_MAX) return 'is not an origin such as https://app.example.com';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not an origin such as https://app.example.com';
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    return 'must use https (plain http is allowed only for localhost, 127.0.0.1 and [::1])';
  }
  if (url.origin !== value) {
    return `must be an origin only: scheme://host[:port] in lower case, with no path, trailing slash, query or default port (${url.origin})`;
  }
  return null;
}

/**
 * Why `value` cannot be a resource indicator (RFC 8707 §2: an absolute URI without a fragment)
 * of an API the client may get tokens for; null when it can. Like redirect URIs: https, or http
 * only on a loopback host, and compared as strings when a client asks for it.
 */
export function resourceUriProblem(value: string): string | null {
  if (value.length === 0) return 'is empty';
  if (value.length > URI_MAX) return `is longer than ${URI_MAX} characters`;
  if (!PRINTABLE_ASCII.test(value)) return 'contains spaces, control or non-ASCII characters';
  if (value.includes('\\')) return 'contains a backslash';
  if (hasWildcard(value)) return 'contains a wildcard (*): register each API';
  if (value.includes('#')) return 'must not contain a fragment (#)';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not an absolute URL';
  }
  if (!/^https?:\/\/[^/?#]/i.test(value)) return 'is not an absolute https URL';
  if (url.username || url.password || /^[^:]+:\/\/[^/?#]*@/.test(value)) return 'must not contain a user name or password';
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    return 'must use https (plain http is allowed only for localhost, 127.0.0.1 and [::1])';
  }
  return null;
}

/** The members of a public JWK that Optare keeps; everything else is dropped. */
const KEPT_MEMBERS = ['kty', 'kid', 'use', 'alg', 'key_ops', 'n', 'e', 'crv', 'x', 'y'] as const;
/** Private (or symmetric) key material: never registered (RFC 7517 §4, RFC 7518 §6). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const BASE64URL = /^[A-Za-z0-9_-]+$/;

export type PublicJwk = Partial<Record<(typeof KEPT_MEMBERS)[number], unknown>> & { kty: 'RSA' | 'EC' };

/** Why `key` cannot be a client's public signing key; null when it can. */
export function jwkProblem(key: unknown): string | null {
  if (typeof key !== 'object' || key === null || Array.isArray(key)) return 'is not a JSON object';
  const jwk = key as Record<string, unknown>;
  if (PRIVATE_MEMBERS.some((member) => member in jwk)) {
    return `contains private key material (${PRIVATE_MEMBERS.filter((m) => m in jwk).join(', ')}): register public keys only`;
  }
  if (jwk.kty !== 'RSA' && jwk.kty !== 'EC') return `has kty ${JSON.stringify(jwk.kty)}; use RSA or EC (${CLIENT_ASSERTION_ALGORITHMS.join(', ')})`;
  if (jwk.use !== undefined && jwk.use !== 'sig') return 'has a "use" other than "sig"';
  if (jwk.key_ops !== undefined && (!Array.isArray(jwk.key_ops) || !jwk.key_ops.includes('verify'))) {
    return 'has "key_ops" without "verify"';
  }
  if (jwk.kid !== undefined && (typeof jwk.kid !== 'string' || jwk.kid.length === 0 || jwk.kid.length > 255)) {
    return 'has a "kid" that is not a string of 1 to 255 characters';
  }
  const algorithms = jwk.kty === 'RSA' ? ['RS256', 'PS256'] : ['ES256'];
  if (jwk.alg !== undefined && !algorithms.includes(jwk.alg as string)) {
    return `has "alg" ${JSON.stringify(jwk.alg)}; a ${jwk.kty} key may use ${algorithms.join(' or ')}`;
  }
  const base64url = (value: unknown) => typeof value === 'string' && BASE64URL.test(value);
  if (jwk.kty === 'RSA') {
    if (!base64url(jwk.n) || !base64url(jwk.e)) return 'lacks a base64url "n" or "e"';
    // RFC 7518 §6.3.1.1: n has no leading zero octets, so its length gives the modulus size.
    if (Math.floor(((jwk.n as string).length * 6) / 8) * 8 < RSA_MIN_MODULUS_BITS) {
      return `is an RSA key shorter than ${RSA_MIN_MODULUS_BITS} bits`;
    }
  } else {
    if (jwk.crv !== 'P-256') return 'is an EC key on a curve other than P-256';
    if (!base64url(jwk.x) || !base64url(jwk.y)) return 'lacks a base64url "x" or "y"';
  }
  return null;
}

const jwksSchema = z
  .unknown()
  .superRefine((value, ctx) => {
    const keys = (value as { keys?: unknown } | null)?.keys;
    if (typeof value !== 'object' || value === null || Array.isArray(value) || !Array.isArray(keys)) {
      ctx.addIssue({ code: 'custom', message: 'The JWKS must be a JSON Web Key Set: {"keys": [ … ]}.' });
      return;
    }
    if (keys.length === 0 || keys.length > JWKS_KEYS_MAX) {
      ctx.addIssue({ code: 'custom', message: `The JWKS must hold 1 to ${JWKS_KEYS_MAX} keys.` });
      return;
    }
    keys.forEach((key, index) => {
      const problem = jwkProblem(key);
      if (problem) ctx.addIssue({ code: 'custom', message: `JWKS key ${index + 1} ${problem}.` });
    });
    const kids = keys.map((key) => (key as { kid?: unknown } | null)?.kid).filter((kid) => kid !== undefined);
    if (new Set(kids).size !== kids.length) ctx.addIssue({ code: 'custom', message: 'Two JWKS keys have the same "kid".' });
  })
  .transform((value) => ({
    keys: (value as { keys: Record<string, unknown>[] }).keys.map(
      (key) => Object.fromEntries(KEPT_MEMBERS.filter((member) => key[member] !== undefined).map((member) => [member, key[member]])) as PublicJwk,
    ),
  }));

const seconds = (label: string, range: { min: number; max: number; default: number }) =>
  z
    .number({ error: `${label} must be a number of seconds.` })
    .int(`${label} must be a whole number of seconds.`)
    .min(range.min, `${label} must be at least ${range.min} seconds.`)
    .max(range.max, `${label} must be at most ${range.max} seconds.`)
    .default(range.default);

const stringList = (label: string, max: number) =>
  z
    .array(z.string({ error: `Each ${label} must be a string.` }), { error: `Give a list of ${label}s.` })
    .max(max, `Register at most ${max} ${label}s.`)
    .default(() => []);

const nameField = z
  .string({ error: 'Enter a name.' })
  .refine((value) => !hasUnsafeCharacters(value), 'The name contains invisible or control characters.')
  .transform((value) => value.normalize('NFC').trim())
  .pipe(
    z
      .string()
      .min(1, 'Enter a name.')
      .refine((value) => codePointLength(value) <= CLIENT_NAME_MAX, `A name has at most ${CLIENT_NAME_MAX} characters.`),
  );

const unique = (values: string[]) => [...new Set(values)];

/** An alg, or null: not chosen, so the server's default (OPTARE_DEFAULT_SIGNING_ALG) applies. */
const signingAlgField = (label: string) =>
  z
    .enum(SIGNING_ALGORITHMS, { error: `${label} must be one of ${SIGNING_ALGORITHMS.join(', ')}, or null for the server's default.` })
    .nullable()
    .default(null);

export const clientSettingsSchema = z
  .object({
    name: nameField,
    type: z.enum(CLIENT_TYPES, { error: 'The type must be confidential or public.' }).default('confidential'),
    /** Defaults to client_secret_basic for confidential clients and none for public ones. */
    tokenEndpointAuthMethod: z
      .enum(TOKEN_ENDPOINT_AUTH_METHODS, { error: `The authentication method must be one of ${TOKEN_ENDPOINT_AUTH_METHODS.join(', ')}.` })
      .optional(),
    redirectUris: stringList('redirect URI', REDIRECT_URIS_MAX),
    postLogoutRedirectUris: stringList('post-logout redirect URI', REDIRECT_URIS_MAX),
    corsOrigins: stringList('CORS origin', CORS_ORIGINS_MAX),
    /** RFC 8707: the APIs this client may get access tokens for (the `resource` parameter). */
    resources: stringList('resource', RESOURCES_MAX),
    grantTypes: z
      .array(z.string(), { error: 'Give a list of grant types.' })
      .default(() => [...DEFAULT_CLIENT_GRANT_TYPES])
      .transform(unique),
    scopes: z
      .array(z.string(), { error: 'Give a list of scopes.' })
      .default(() => [...DEFAULT_CLIENT_SCOPES])
      .transform(unique),
    accessTokenTtl: seconds('The access token lifetime', ACCESS_TOKEN_TTL),
    refreshTokenIdleTtl: seconds('The refresh token idle lifetime', REFRESH_TOKEN_IDLE_TTL),
    refreshTokenMaxTtl: seconds('The refresh token maximum lifetime', REFRESH_TOKEN_MAX_TTL),
    requirePkce: z.boolean({ error: 'requirePkce must be true or false.' }).default(true),
    firstParty: z.boolean({ error: 'firstParty must be true or false.' }).default(false),
    /** A JWK Set of public keys; required for, and only for, private_key_jwt. */
    jwks: jwksSchema.nullable().default(null),
    /** OIDC Dynamic Registration §2 id_token_signed_response_alg; null: the server's default (RS256 unless configured). */
    idTokenSignedResponseAlg: signingAlgField('The ID token signing algorithm'),
    /** The alg of the client's (RFC 9068) access tokens; null: the server's default. */
    accessTokenSignedResponseAlg: signingAlgField('The access token signing algorithm'),
    enabled: z.boolean({ error: 'enabled must be true or false.' }).default(true),
  })
  .superRefine((client, ctx) => {
    const issue = (path: string, message: string, index?: number) =>
      ctx.addIssue({ code: 'custom', path: index === undefined ? [path] : [path, index], message });

    const method = client.tokenEndpointAuthMethod;
    if (client.type === 'public' && method !== undefined && method !== 'none') {
      issue('tokenEndpointAuthMethod', 'A public client has no credentials: its authentication method is none.');
    }
    if (client.type === 'confidential' && method === 'none') {
      issue('tokenEndpointAuthMethod', 'A confidential client must authenticate: use client_secret_basic, client_secret_post or private_key_jwt.');
    }
    if (method === 'private_key_jwt' && !client.jwks) issue('jwks', 'private_key_jwt needs the public keys of the client (a JWKS).');
    if (method !== 'private_key_jwt' && client.jwks) issue('jwks', 'A JWKS is registered only for the private_key_jwt method.');

    const unknownGrants = client.grantTypes.filter((grant) => !(CLIENT_GRANT_TYPES as readonly string[]).includes(grant));
    if (unknownGrants.length > 0) {
      issue('grantTypes', `Unsupported grant type ${unknownGrants.join(', ')}; choose from ${CLIENT_GRANT_TYPES.join(', ')}.`);
    }
    if (client.grantTypes.length === 0) issue('grantTypes', 'Allow at least one grant type.');
    if (client.type === 'public' && client.grantTypes.includes('client_credentials')) {
      issue('grantTypes', 'A public client cannot use client_credentials: it has no credentials.');
    }
    if (client.grantTypes.includes('refresh_token') && !client.grantTypes.includes('authorization_code')) {
      issue('grantTypes', 'refresh_token is only useful with authorization_code.');
    }

    const unknownScopes = client.scopes.filter((scope) => !(SUPPORTED_SCOPES as readonly string[]).includes(scope));
    if (unknownScopes.length > 0) {
      issue('scopes', `Unsupported scope ${unknownScopes.join(', ')}; choose from ${SUPPORTED_SCOPES.join(', ')}.`);
    }

    if (client.grantTypes.includes('authorization_code') && client.redirectUris.length === 0) {
      issue('redirectUris', 'Register at least one redirect URI.');
    }
    const uriLists = [
      ['redirectUris', 'Redirect URI', client.redirectUris],
      ['postLogoutRedirectUris', 'Post-logout redirect URI', client.postLogoutRedirectUris],
    ] as const;
    for (const [field, label, uris] of uriLists) {
      uris.forEach((uri, index) => {
        const problem = redirectUriProblem(uri, client.type);
        if (problem) issue(field, `${label} ${index + 1} ${problem}.`, index);
        else if (uris.indexOf(uri) !== index) issue(field, `${label} ${index + 1} is the same as number ${uris.indexOf(uri) + 1}.`, index);
      });
    }
    client.corsOrigins.forEach((origin, index) => {
      const problem = corsOriginProblem(origin);
      if (problem) issue('corsOrigins', `CORS origin ${index + 1} ${problem}.`, index);
      else if (client.corsOrigins.indexOf(origin) !== index) issue('corsOrigins', `CORS origin ${index + 1} is repeated.`, index);
    });
    client.resources.forEach((resource, index) => {
      const problem = resourceUriProblem(resource);
      if (problem) issue('resources', `Resource ${index + 1} ${problem}.`, index);
      else if (client.resources.indexOf(resource) !== index) issue('resources', `Resource ${index + 1} is repeated.`, index);
    });

    if (!client.requirePkce && client.type === 'public') {
      issue('requirePkce', 'A public client must use PKCE: only confidential clients may turn it off.');
    }
    if (client.refreshTokenIdleTtl > client.refreshTokenMaxTtl) {
      issue('refreshTokenIdleTtl', 'The refresh token idle lifetime cannot exceed its maximum lifetime.');
    }
  })
  .transform((client) => ({
    ...client,
    tokenEndpointAuthMethod: client.tokenEndpointAuthMethod ?? defaultAuthMethod(client.type),
  }));

export function defaultAuthMethod(type: ClientType): TokenEndpointAuthMethod {
  return type === 'public' ? 'none' : 'client_secret_basic';
}

/** What the forms and the CLI send (every field but the name optional). */
export type ClientSettingsInput = z.input<typeof clientSettingsSchema>;
/** Validated settings with every default applied. */
export type ClientSettings = z.output<typeof clientSettingsSchema>;

/** A `*`, written as is or percent-encoded (%2A, which URL parsers decode in host names): it looks like a wildcard but would be compared literally. */
function hasWildcard(value: string): boolean {
  return /\*|%2a/i.test(value);
}
