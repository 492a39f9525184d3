import 'server-only';
import fs from 'node:fs';
import { createClient } from '../../oauth/clients/registration';
import { SIGNING_ALGORITHMS } from '../../oauth/keys/algorithms';
import { cliAuditContext } from '../audit-context';
import { defineCommand, optionalString, requireString, UsageError, type OptionValues } from '../command';

export const clientCreate = defineCommand({
  name: 'client create',
  summary: 'Register an OAuth client (prints its secret once)',
  synopsis:
    '--name NAME --redirect-uri URI [--redirect-uri URI2 …] [--post-logout-uri URI …] [--public] [--first-party] ' +
    '[--cors-origin ORIGIN …] [--resource URI …] [--grant GRANT …] [--scope SCOPE …] [--auth-method METHOD] [--jwks-file FILE] ' +
    '[--access-token-ttl SECONDS] [--refresh-token-idle-ttl SECONDS] [--refresh-token-max-ttl SECONDS] [--no-require-pkce] ' +
    '[--id-token-alg ALG] [--access-token-alg ALG] [--json]',
  help: [
    'Registers a client and prints its client_id; a confidential client using client_secret_basic (the default)',
    'or client_secret_post also gets a client_secret, printed this once: only its SHA-256 is stored.',
    '  --public              a public client (browser or native app): no secret, PKCE required, auth method none',
    '  --grant               authorization_code (default, with refresh_token), refresh_token, client_credentials',
    '  --scope               openid, profile, email, offline_access (default: all four)',
    '  --auth-method         client_secret_basic (default), client_secret_post, private_key_jwt (needs --jwks-file)',
    '  --jwks-file           a JSON Web Key Set of the client\'s public keys, for private_key_jwt',
    '  --resource            an API (absolute https URI) the client may get access tokens for (RFC 8707)',
    '  --first-party         skip the consent page for this client',
    '  --no-require-pkce     let this confidential client omit PKCE (not recommended)',
    `  --id-token-alg        the ID tokens' signing algorithm: ${SIGNING_ALGORITHMS.join(', ')} (default: the server's OPTARE_DEFAULT_SIGNING_ALG, RS256 unless set)`,
    `  --access-token-alg    the access tokens' signing algorithm: ${SIGNING_ALGORITHMS.join(', ')} (default: OPTARE_DEFAULT_SIGNING_ALG)`,
    'Redirect URIs: https, http only on localhost/127.0.0.1/[::1], or a private-use scheme (com.example.app:/cb) for public clients.',
  ].join('\n'),
  options: {
    name: { type: 'string' },
    'redirect-uri': { type: 'string', multiple: true },
    'post-logout-uri': { type: 'string', multiple: true },
    public: { type: 'boolean' },
    'first-party': { type: 'boolean' },
    'cors-origin': { type: 'string', multiple: true },
    resource: { type: 'string', multiple: true },
    grant: { type: 'string', multiple: true },
    scope: { type: 'string', multiple: true },
    'auth-method': { type: 'string' },
    'jwks-file': { type: 'string' },
    'access-token-ttl': { type: 'string' },
    'refresh-token-idle-ttl': { type: 'string' },
    'refresh-token-max-ttl': { type: 'string' },
    'no-require-pkce': { type: 'boolean' },
    'id-token-alg': { type: 'string' },
    'access-token-alg': { type: 'string' },
  },
  parseInput(values) {
    const input: Record<string, unknown> = {
      name: requireString(values, 'name'),
      type: values.public === true ? 'public' : 'confidential',
      redirectUris: list(values, 'redirect-uri'),
      postLogoutRedirectUris: list(values, 'post-logout-uri'),
      corsOrigins: list(values, 'cors-origin'),
      resources: list(values, 'resource'),
      firstParty: values['first-party'] === true,
    };
    const grants = list(values, 'grant');
    if (grants.length > 0) input.grantTypes = grants;
    const scopes = list(values, 'scope').flatMap((value) => value.split(' ').filter(Boolean));
    if (scopes.length > 0) input.scopes = scopes;
    const method = optionalString(values, 'auth-method');
    if (method !== undefined) input.tokenEndpointAuthMethod = method;
    const jwksFile = optionalString(values, 'jwks-file');
    if (jwksFile !== undefined) input.jwks = readJsonFile(jwksFile);
    for (const [option, field] of [
      ['access-token-ttl', 'accessTokenTtl'],
      ['refresh-token-idle-ttl', 'refreshTokenIdleTtl'],
      ['refresh-token-max-ttl', 'refreshTokenMaxTtl'],
    ] as const) {
      const value = optionalString(values, option);
      if (value === undefined) continue;
      if (!/^\d{1,9}$/.test(value)) throw new UsageError(`--${option} must be a whole number of seconds`);
      input[field] = Number(value);
    }
    if (values['no-require-pkce'] === true) input.requirePkce = false;
    // Checked with the other settings by clientSettingsSchema (an unknown alg is a field error).
    const idTokenAlg = optionalString(values, 'id-token-alg');
    if (idTokenAlg !== undefined) input.idTokenSignedResponseAlg = idTokenAlg;
    const accessTokenAlg = optionalString(values, 'access-token-alg');
    if (accessTokenAlg !== undefined) input.accessTokenSignedResponseAlg = accessTokenAlg;
    return input;
  },
  async run(input) {
    const result = await createClient(input, cliAuditContext());
    if (!result.ok) {
      const problems = Object.entries(result.fieldErrors).map(([field, messages]) => `${field}: ${messages.join(' ')}`);
      return {
        ok: false,
        json: { ok: false, error: 'invalid_input', fieldErrors: result.fieldErrors },
        message: `invalid client settings: ${problems.join('; ')}`,
      };
    }
    const { client, secret } = result;
    const lines = [`Created ${client.type} client "${client.name}"`, `client_id:     ${client.id}`];
    if (secret !== null) {
      lines.push(`client_secret: ${secret}`, 'The secret is shown only this once (Optare keeps only its hash): store it now.');
    }
    return {
      ok: true,
      json: { ok: true, clientId: client.id, ...(secret !== null ? { clientSecret: secret } : {}), client },
      text: lines.join('\n'),
    };
  },
});

/** A repeatable option's values (parseArgs gives an array for `multiple` options). */
export function list(values: OptionValues, name: string): string[] {
  const value = (values as Record<string, unknown>)[name];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).filter((item): item is string => typeof item === 'string');
}

function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`--jwks-file: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`--jwks-file: ${file} is not JSON`);
  }
}
