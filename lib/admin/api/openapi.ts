import 'server-only';
import { z } from 'zod';
import { API_KEY_SCOPES, API_KEY_SCOPE_DESCRIPTIONS } from '../api-keys';
import { API_BASE_PATH, type AdminApiOperation } from './define';
import { ADMIN_API_OPERATIONS } from './registry';

type JsonObject = Record<string, unknown>;

const errorSchema = z.object({
  error: z.string(),
  message: z.string(),
  fieldErrors: z.record(z.string(), z.array(z.string())).optional(),
});

const COMMON_ERRORS: Record<string, string> = {
  '400': 'The path, query or body is not valid (fieldErrors says where).',
  '401': 'No API key, or one that is unknown, expired, revoked or rotated out.',
  '403': 'The API key lacks the scope this operation needs.',
  '429': 'The API key made too many requests: wait Retry-After seconds.',
  '503': 'The database cannot be reached right now.',
};

/**
 * The OpenAPI 3.1 document of the admin API, made from the operations' own zod schemas
 * (zod's JSON Schema output is draft 2020-12, the dialect OpenAPI 3.1 uses).
 */
export function adminOpenApiDocument(issuer: string, operations: readonly AdminApiOperation<any, any, any>[] = ADMIN_API_OPERATIONS): JsonObject {
  const paths: Record<string, Record<string, JsonObject>> = {};
  for (const operation of operations) {
    (paths[operation.path] ??= {})[operation.method.toLowerCase()] = operationObject(operation);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Optare admin API',
      version: '1',
      description:
        'Manage OAuth clients, users, audit events and API keys. Authenticate with an API key created in the admin console: `Authorization: Bearer opk_…`. Every write is recorded in the audit log with the key as its actor.',
    },
    servers: [{ url: `${issuer}${API_BASE_PATH}` }],
    security: [{ apiKey: [] }],
    tags: [...new Set(operations.map((operation) => operation.tag))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          description: `An admin API key. Scopes: ${API_KEY_SCOPES.map((scope) => `\`${scope}\` (${API_KEY_SCOPE_DESCRIPTIONS[scope]})`).join('; ')}. A \`:write\` scope includes its \`:read\`.`,
        },
      },
      schemas: { Error: jsonSchema(errorSchema, 'output') },
    },
  };
}

function operationObject(operation: AdminApiOperation<any, any, any>): JsonObject {
  const responses: Record<string, JsonObject> = {
    [String(operation.success.status)]: {
      description: operation.success.description,
      ...(operation.success.schema ? { content: { 'application/json': { schema: jsonSchema(operation.success.schema, 'output') } } } : {}),
    },
  };
  const errors: Record<string, string> = { ...COMMON_ERRORS, ...(operation.errors as Record<string, string> | undefined) };
  for (const [status, description] of Object.entries(errors)) {
    responses[status] = { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
  }
  return {
    operationId: operation.operationId,
    summary: operation.summary,
    ...(operation.description ? { description: operation.description } : {}),
    tags: [operation.tag],
    'x-required-scope': operation.scope,
    parameters: [...parameters(operation.params, 'path'), ...parameters(operation.query, 'query')],
    ...(operation.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(operation.body, 'input') } } } }
      : {}),
    responses,
  };
}

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query'): JsonObject[] {
  if (!schema) return [];
  const object = jsonSchema(schema, 'input') as { properties?: Record<string, JsonObject>; required?: string[] };
  return Object.entries(object.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (object.required ?? []).includes(name),
    ...(typeof property.description === 'string' ? { description: property.description } : {}),
    schema: property,
  }));
}

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonObject {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonObject;
  return rest;
}
