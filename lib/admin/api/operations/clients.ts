import 'server-only';
import { z } from 'zod';
import { clientSettingsSchema } from '../../../oauth/clients/settings-schema';
import { SUPPORTED_SCOPES } from '../../../oauth/scopes';
import { CLIENT_GRANT_TYPES, CLIENT_TYPES, TOKEN_ENDPOINT_AUTH_METHODS } from '../../../oauth/clients/types';
import { SIGNING_ALGORITHMS } from '../../../oauth/keys/algorithms';
import {
  CLIENT_SEARCH_MAX,
  clientFailureResponse,
  createAdminClient,
  deleteAdminClient,
  getAdminClient,
  listAdminClients,
  rotateAdminClientSecret,
  setAdminClientEnabled,
  updateAdminClient,
} from '../../clients';
import { apiJson, apiNoContent, defineOperation, pageSchema, paginationQuery, type AdminApiOperation } from '../define';

/**
 * The admin API's OAuth client operations: list and read clients (clients:read), register,
 * change, rotate the secret of, disable, enable and delete them (clients:write). Every change is
 * audited with the API key as its actor (lib/admin/clients.ts). No answer ever holds a secret's
 * hash; a new secret is in the one answer that creates it.
 */

const TAG = 'Clients';

const clientIdParams = z.object({ clientId: z.string().min(1).max(64).describe('The client’s id (its OAuth client_id).') });

const dateTime = z.iso.datetime();

const clientSchema = z.object({
  id: z.string().describe('The OAuth client_id.'),
  name: z.string(),
  type: z.enum(CLIENT_TYPES),
  tokenEndpointAuthMethod: z.enum(TOKEN_ENDPOINT_AUTH_METHODS),
  redirectUris: z.array(z.string()),
  postLogoutRedirectUris: z.array(z.string()),
  corsOrigins: z.array(z.string()),
  resources: z.array(z.string()).describe('RFC 8707: the APIs the client may get access tokens for (the `resource` parameter).'),
  grantTypes: z.array(z.enum(CLIENT_GRANT_TYPES)),
  scopes: z.array(z.enum(SUPPORTED_SCOPES as [string, ...string[]])),
  accessTokenTtl: z.number().int().describe('Seconds.'),
  refreshTokenIdleTtl: z.number().int().describe('Seconds.'),
  refreshTokenMaxTtl: z.number().int().describe('Seconds.'),
  requirePkce: z.boolean(),
  firstParty: z.boolean().describe('First-party clients skip the consent page.'),
  jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }).nullable().describe('Public keys for private_key_jwt.'),
  idTokenSignedResponseAlg: z
    .enum(SIGNING_ALGORITHMS)
    .nullable()
    .describe('The JWS alg of the client’s ID tokens (id_token_signed_response_alg); null: not chosen, the server’s default (OPTARE_DEFAULT_SIGNING_ALG).'),
  accessTokenSignedResponseAlg: z
    .enum(SIGNING_ALGORITHMS)
    .nullable()
    .describe('The JWS alg of the client’s access tokens; null: not chosen, the server’s default (OPTARE_DEFAULT_SIGNING_ALG).'),
  enabled: z.boolean(),
  hasSecret: z.boolean().describe('Whether the client has a secret (client_secret_basic or client_secret_post). The secret itself is never returned again.'),
  previousSecretExpiresAt: dateTime.nullable().describe('Until when the secret before the last rotation still works; null when it no longer does.'),
  managed: z.boolean().describe('The admin console’s own client, managed by Optare: it cannot be changed.'),
  createdAt: dateTime,
  updatedAt: dateTime,
});

const secretSchema = z
  .string()
  .nullable()
  .describe('The client secret, shown only in this answer (Optare keeps only its SHA-256). Null when the client has none.');

/**
 * PATCH's body: any of the settings, typed here; the merged settings are then checked as a whole
 * with the same rules as creation. Unknown fields are refused rather than ignored.
 */
const clientPatchSchema = z.strictObject({
  name: z.string().optional(),
  type: z.enum(CLIENT_TYPES).optional().describe('Changing the type without tokenEndpointAuthMethod takes the type’s default method.'),
  tokenEndpointAuthMethod: z
    .enum(TOKEN_ENDPOINT_AUTH_METHODS)
    .optional()
    .describe('Switching to client_secret_basic or client_secret_post from another method issues a secret, returned once.'),
  redirectUris: z.array(z.string()).optional(),
  postLogoutRedirectUris: z.array(z.string()).optional(),
  corsOrigins: z.array(z.string()).optional(),
  resources: z.array(z.string()).optional().describe('RFC 8707 resource indicators: absolute https URIs without a fragment.'),
  grantTypes: z.array(z.string()).optional(),
  scopes: z.array(z.string()).optional(),
  accessTokenTtl: z.number().optional().describe('Seconds.'),
  refreshTokenIdleTtl: z.number().optional().describe('Seconds.'),
  refreshTokenMaxTtl: z.number().optional().describe('Seconds.'),
  requirePkce: z.boolean().optional().describe('Only a confidential client may turn PKCE off, and none when the server sets OPTARE_PKCE=always.'),
  firstParty: z.boolean().optional(),
  jwks: z.object({ keys: z.array(z.unknown()) }).nullable().optional().describe('A JWK Set of public keys, for private_key_jwt only.'),
  idTokenSignedResponseAlg: z
    .enum(SIGNING_ALGORITHMS)
    .nullable()
    .optional()
    .describe('RS256 (which every OIDC library accepts), PS256, ES256 or EdDSA; null: the server’s default (OPTARE_DEFAULT_SIGNING_ALG, RS256 unless configured).'),
  accessTokenSignedResponseAlg: z
    .enum(SIGNING_ALGORITHMS)
    .nullable()
    .optional()
    .describe('RS256, PS256, ES256 or EdDSA; null: the server’s default (OPTARE_DEFAULT_SIGNING_ALG).'),
});

const NOT_FOUND = { 404: 'No client has this id.' } as const;
const MANAGED = { 409: 'The admin console’s own client cannot be changed.' } as const;

export const listClients = defineOperation({
  method: 'GET',
  path: '/clients',
  operationId: 'listClients',
  summary: 'List clients',
  description: 'Registered OAuth clients, newest first; with `q`, only those whose name or id contains it (any case).',
  tag: TAG,
  scope: 'clients:read',
  query: z.object({ q: z.string().max(CLIENT_SEARCH_MAX).optional().describe('Text the name or id contains.'), ...paginationQuery }),
  success: { status: 200, description: 'A page of clients.', schema: pageSchema(clientSchema) },
  errors: { 400: 'The query is not valid, or the cursor is not one this list gave out.' },
  async handle({ query }) {
    const result = await listAdminClients({ search: query.q, limit: query.limit, cursor: query.cursor });
    return result.ok ? apiJson({ items: result.items, nextCursor: result.nextCursor }) : clientFailureResponse(result);
  },
});

export const createClientOperation = defineOperation({
  method: 'POST',
  path: '/clients',
  operationId: 'createClient',
  summary: 'Register a client',
  description:
    'Registers an OAuth client and returns it with its client_secret, shown only in this answer. Only `name` is required: a confidential client with client_secret_basic, PKCE, the authorization_code and refresh_token grants and every scope by default (with at least one redirect URI).',
  tag: TAG,
  scope: 'clients:write',
  body: clientSettingsSchema,
  success: { status: 201, description: 'The client and its secret.', schema: z.object({ client: clientSchema, clientSecret: secretSchema }) },
  async handle({ body, actor }) {
    const result = await createAdminClient(body, actor);
    return result.ok ? apiJson({ client: result.client, clientSecret: result.secret }, 201) : clientFailureResponse(result);
  },
});

export const getClientOperation = defineOperation({
  method: 'GET',
  path: '/clients/{clientId}',
  operationId: 'getClient',
  summary: 'Read a client',
  description: 'Every setting of the client; whether it has a secret, never the secret.',
  tag: TAG,
  scope: 'clients:read',
  params: clientIdParams,
  success: { status: 200, description: 'The client.', schema: clientSchema },
  errors: NOT_FOUND,
  async handle({ params }) {
    const client = await getAdminClient(params.clientId);
    return client ? apiJson(client) : clientFailureResponse({ error: 'not_found' });
  },
});

export const updateClientOperation = defineOperation({
  method: 'PATCH',
  path: '/clients/{clientId}',
  operationId: 'updateClient',
  summary: 'Change a client',
  description:
    'Changes the settings given; the others keep their values. The result must pass the same checks as a new client. `clientSecret` is a new secret when the change made the client start using one (null otherwise). Use the disable and enable operations for `enabled`.',
  tag: TAG,
  scope: 'clients:write',
  params: clientIdParams,
  body: clientPatchSchema,
  success: {
    status: 200,
    description: 'The client as changed.',
    schema: z.object({ client: clientSchema, clientSecret: secretSchema, changed: z.boolean().describe('False when nothing changed (nothing was recorded).') }),
  },
  errors: { ...NOT_FOUND, ...MANAGED },
  async handle({ params, body, actor }) {
    const result = await updateAdminClient(params.clientId, body, actor);
    return result.ok ? apiJson({ client: result.client, clientSecret: result.secret, changed: result.changed }) : clientFailureResponse(result);
  },
});

export const deleteClientOperation = defineOperation({
  method: 'DELETE',
  path: '/clients/{clientId}',
  operationId: 'deleteClient',
  summary: 'Delete a client',
  description: 'Deletes the client with its consents and grants: its refresh and access tokens stop working.',
  tag: TAG,
  scope: 'clients:write',
  params: clientIdParams,
  success: { status: 204, description: 'The client is gone.' },
  errors: { ...NOT_FOUND, ...MANAGED },
  async handle({ params, actor }) {
    const result = await deleteAdminClient(params.clientId, actor);
    return result.ok ? apiNoContent() : clientFailureResponse(result);
  },
});

export const rotateClientSecretOperation = defineOperation({
  method: 'POST',
  path: '/clients/{clientId}/secret',
  operationId: 'rotateClientSecret',
  summary: 'Rotate a client’s secret',
  description:
    'Gives the client a new secret, shown only in this answer. The old one keeps working until `previousSecretExpiresAt` (the OPTARE_CLIENT_SECRET_OVERLAP setting, 24 hours by default), so the client can be redeployed without downtime; with `immediate=true` (a leaked secret) it stops working at once.',
  tag: TAG,
  scope: 'clients:write',
  params: clientIdParams,
  query: z.object({
    immediate: z
      .enum(['true', 'false'])
      .default('false')
      .transform((value) => value === 'true')
      .describe('true: the old secret stops working at once.'),
  }),
  success: {
    status: 200,
    description: 'The new secret.',
    schema: z.object({
      client: clientSchema,
      clientSecret: z.string().describe('The new client secret, shown only in this answer.'),
      previousSecretExpiresAt: dateTime.nullable().describe('Until when the old secret still works; null: it stopped at once.'),
    }),
  },
  errors: { ...NOT_FOUND, 409: 'The client has no secret (public or private_key_jwt), or it is the admin console’s own client.' },
  async handle({ params, query, actor }) {
    const result = await rotateAdminClientSecret(params.clientId, actor, { immediate: query.immediate });
    return result.ok
      ? apiJson({ client: result.client, clientSecret: result.secret, previousSecretExpiresAt: result.previousSecretExpiresAt })
      : clientFailureResponse(result);
  },
});

const enabledChangeSchema = z.object({ client: clientSchema, changed: z.boolean().describe('False when the client already was in that state (nothing was recorded).') });

export const disableClientOperation = defineOperation({
  method: 'POST',
  path: '/clients/{clientId}/disable',
  operationId: 'disableClient',
  summary: 'Disable a client',
  description:
    'The client can no longer sign users in or get tokens, and its access tokens are treated as revoked. Its grants are kept: enabling it again restores them.',
  tag: TAG,
  scope: 'clients:write',
  params: clientIdParams,
  success: { status: 200, description: 'The client, disabled.', schema: enabledChangeSchema },
  errors: { ...NOT_FOUND, ...MANAGED },
  async handle({ params, actor }) {
    const result = await setAdminClientEnabled(params.clientId, false, actor);
    return result.ok ? apiJson({ client: result.client, changed: result.changed }) : clientFailureResponse(result);
  },
});

export const enableClientOperation = defineOperation({
  method: 'POST',
  path: '/clients/{clientId}/enable',
  operationId: 'enableClient',
  summary: 'Enable a client',
  description: 'The client works again, with the grants it had.',
  tag: TAG,
  scope: 'clients:write',
  params: clientIdParams,
  success: { status: 200, description: 'The client, enabled.', schema: enabledChangeSchema },
  errors: { ...NOT_FOUND, ...MANAGED },
  async handle({ params, actor }) {
    const result = await setAdminClientEnabled(params.clientId, true, actor);
    return result.ok ? apiJson({ client: result.client, changed: result.changed }) : clientFailureResponse(result);
  },
});

/** The admin API's clients operations. */
export const clientsOperations: AdminApiOperation[] = [
  listClients,
  createClientOperation,
  getClientOperation,
  updateClientOperation,
  deleteClientOperation,
  rotateClientSecretOperation,
  disableClientOperation,
  enableClientOperation,
];
