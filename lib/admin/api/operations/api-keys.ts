import 'server-only';
import { z } from 'zod';
import { jsonError } from '../../../http/responses';
import { createApiKeySchema } from '../../api-key-schema';
import {
  API_KEY_SCOPES,
  createApiKey,
  listApiKeys,
  revokeApiKey,
  rotateApiKey,
  type ApiKeySummary,
  type RotateApiKeyResult,
  type ScopeNotHeld,
} from '../../api-keys';
import { apiJson, apiNoContent, defineOperation, pageSchema, paginationQuery, type AdminApiOperation } from '../define';

/**
 * The admin API's api-keys operations: list, create, rotate and revoke keys. A key acting
 * through the API may hand out only the scopes it holds itself (403 scope_not_held).
 */

const moment = z.iso.datetime();

const apiKeySchema = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string().meta({ description: 'The visible start of the key (`opk_` and 8 hex characters), to tell keys apart.' }),
  scopes: z.array(z.enum(API_KEY_SCOPES)),
  createdAt: moment,
  createdByUserId: z.uuid().nullable().meta({ description: 'The administrator who created it in the console; null when an API key did.' }),
  expiresAt: moment,
  lastUsedAt: moment.nullable(),
  lastUsedIp: z.string().nullable(),
  revokedAt: moment.nullable(),
  status: z.enum(['active', 'rotating', 'expired', 'revoked', 'rotated']).meta({
    description: '`rotating`: rotated, still working until `worksUntil`; `rotated`: rotated and past its overlap period.',
  }),
  rotationDue: z.boolean().meta({ description: 'An active key older than the rotation age (OPTARE_API_KEY_ROTATION_AGE): rotate it soon.' }),
  worksUntil: moment.nullable().meta({ description: 'A rotated key: when it stops working.' }),
  rotatedToId: z.uuid().nullable().meta({ description: 'A rotated key: the id of the key that replaced it.' }),
});

const newKeySchema = z.object({
  key: z.string().meta({ description: 'The API key. It is shown only in this answer: Optare stores only its hash.' }),
  apiKey: apiKeySchema,
});

const keyParams = z.object({ keyId: z.uuid({ error: 'Not an API key id.' }) });

function apiKeyJson(key: ApiKeySummary) {
  return {
    ...key,
    createdAt: key.createdAt.toISOString(),
    expiresAt: key.expiresAt.toISOString(),
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    revokedAt: key.revokedAt?.toISOString() ?? null,
    worksUntil: key.worksUntil?.toISOString() ?? null,
  };
}

/** 403: the key asked to hand out scopes it does not hold (privilege escalation). */
function scopeNotHeld(result: ScopeNotHeld): Response {
  return jsonError(
    403,
    'scope_not_held',
    `An API key can give a new key only scopes it holds itself. This key does not hold: ${result.scopes.join(', ')}.`,
  );
}

const SCOPE_NOT_HELD_403 = 'The API key lacks api_keys:write, or asked to give the new key a scope it does not hold itself (scope_not_held).';

export const listApiKeysOperation = defineOperation({
  method: 'GET',
  path: '/api-keys',
  operationId: 'listApiKeys',
  summary: 'List API keys',
  description: 'Every API key, newest first, with its status and when and from where it was last used. Never the key itself.',
  tag: 'API keys',
  scope: 'api_keys:read',
  query: z.object(paginationQuery),
  success: { status: 200, description: 'A page of API keys.', schema: pageSchema(apiKeySchema) },
  async handle({ query }) {
    const page = await listApiKeys({ limit: query.limit, cursor: query.cursor });
    if (!page.ok) return jsonError(400, 'invalid_request', 'Some fields need attention.', { cursor: ['This cursor is not valid.'] });
    return apiJson({ items: page.items.map(apiKeyJson), nextCursor: page.nextCursor });
  },
});

export const createApiKeyOperation = defineOperation({
  method: 'POST',
  path: '/api-keys',
  operationId: 'createApiKey',
  summary: 'Create an API key',
  description:
    'Creates a key with a name, scopes and an expiry (90 days unless given). The key is in the answer, once. An API key can give the new key only scopes it holds itself.',
  tag: 'API keys',
  scope: 'api_keys:write',
  body: createApiKeySchema,
  success: { status: 201, description: 'The new key, shown this once.', schema: newKeySchema },
  errors: { 403: SCOPE_NOT_HELD_403 },
  async handle({ body, actor }) {
    const result = await createApiKey(body, actor);
    if (result.ok) return apiJson({ key: result.key, apiKey: apiKeyJson(result.apiKey) }, 201);
    if ('fieldErrors' in result) return jsonError(400, 'invalid_request', 'Some fields need attention.', result.fieldErrors);
    return scopeNotHeld(result);
  },
});

export const rotateApiKeyOperation = defineOperation({
  method: 'POST',
  path: '/api-keys/{keyId}/rotate',
  operationId: 'rotateApiKey',
  summary: 'Rotate an API key',
  description:
    'Creates a new key with the same name, scopes and lifetime, shown once in the answer. The old key keeps working for the overlap period (OPTARE_API_KEY_OVERLAP), then stops.',
  tag: 'API keys',
  scope: 'api_keys:write',
  params: keyParams,
  success: {
    status: 201,
    description: 'The new key, shown this once, and the old one with the time it stops working (worksUntil).',
    schema: newKeySchema.extend({ previous: apiKeySchema }),
  },
  errors: { 403: SCOPE_NOT_HELD_403, 404: 'No API key has this id.', 409: 'The key was already rotated, or is revoked or expired.' },
  async handle({ params, actor }) {
    const result: RotateApiKeyResult = await rotateApiKey(params.keyId, actor);
    if (result.ok) {
      return apiJson({ key: result.key, apiKey: apiKeyJson(result.apiKey), previous: apiKeyJson(result.previous) }, 201);
    }
    if (result.error === 'not_found') return jsonError(404, 'not_found', 'No API key has this id.');
    if (result.error === 'not_active') {
      return jsonError(409, 'not_active', `Only an active key can be rotated; this one is ${result.status}.`);
    }
    return scopeNotHeld(result);
  },
});

export const revokeApiKeyOperation = defineOperation({
  method: 'DELETE',
  path: '/api-keys/{keyId}',
  operationId: 'revokeApiKey',
  summary: 'Revoke an API key',
  description: 'The key stops working at once (a rotated key in its overlap period too). It stays listed, as revoked.',
  tag: 'API keys',
  scope: 'api_keys:write',
  params: keyParams,
  success: { status: 204, description: 'Revoked.' },
  errors: { 404: 'No API key has this id.', 409: 'The key is already revoked.' },
  async handle({ params, actor }) {
    const result = await revokeApiKey(params.keyId, actor);
    if (result.ok) return apiNoContent();
    if (result.error === 'not_found') return jsonError(404, 'not_found', 'No API key has this id.');
    return jsonError(409, 'already_revoked', 'This API key is already revoked.');
  },
});

/** The admin API's api-keys operations. */
export const apiKeysOperations: AdminApiOperation[] = [
  listApiKeysOperation,
  createApiKeyOperation,
  rotateApiKeyOperation,
  revokeApiKeyOperation,
];
