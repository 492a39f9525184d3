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
export function adminOpenApiDocument(issuer: string, operations: readonly AdminApiOperation[] = ADMIN_API_OPERATIONS): JsonObject {
  const schemas = new ComponentSchemas();
  const error = schemas.convert(errorSchema, 'output', 'Error');
  const paths: Record<string, Record<string, JsonObject>> = {};
  for (const operation of operations) {
    (paths[operation.path] ??= {})[operation.method.toLowerCase()] = operationObject(operation, schemas);
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
      schemas: { Error: error, ...schemas.components },
    },
  };
}

function operationObject(operation: AdminApiOperation, schemas: ComponentSchemas): JsonObject {
  const name = capitalized(operation.operationId);
  const responses: Record<string, JsonObject> = {
    [String(operation.success.status)]: {
      description: operation.success.description,
      ...(operation.success.schema
        ? { content: { 'application/json': { schema: schemas.convert(operation.success.schema, 'output', `${name}Response`) } } }
        : {}),
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
    parameters: [
      ...parameters(operation.params, 'path', schemas, `${name}Path`),
      ...parameters(operation.query, 'query', schemas, `${name}Query`),
    ],
    ...(operation.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: schemas.convert(operation.body, 'input', `${name}Body`) } } } }
      : {}),
    responses,
  };
}

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query', schemas: ComponentSchemas, name: string): JsonObject[] {
  if (!schema) return [];
  const object = schemas.convert(schema, 'input', name) as { properties?: Record<string, JsonObject>; required?: string[] };
  return Object.entries(object.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (object.required ?? []).includes(name),
    ...(typeof property.description === 'string' ? { description: property.description } : {}),
    schema: property,
  }));
}

/**
 * zod's JSON Schemas, made fit to sit inside the document. zod puts the schemas it names (a
 * `.meta({ id })`) in the schema's own `$defs` and refers to them as `#/$defs/…`, and a
 * recursive schema to itself as `#`; inside an OpenAPI document those references resolve
 * against the document, where they point at nothing. So named schemas become components
 * (`#/components/schemas/<id>`), and a recursive one becomes a component of its own.
 */
class ComponentSchemas {
  readonly components: Record<string, JsonObject> = {};

  convert(schema: z.ZodType, io: 'input' | 'output', name: string): JsonObject {
    const generated = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonObject;
    const { $schema: _dialect, $defs, ...root } = generated as JsonObject & { $defs?: Record<string, JsonObject> };
    const definitions = $defs ?? {};
    const ids = Object.keys(definitions);
    // The same id may be converted for input and output (a schema with transforms): two components.
    const suffix = io === 'input' ? 'Input' : 'Output';
    // A schema zod named itself (`__schema0`, a recursive one without an id) is named after its place.
    const base = (id: string) => (/^__schema\d+$/.test(id) ? `${name}${id.replace('__schema', 'Schema')}` : id);
    const naming = (suffixed: ReadonlySet<string>) =>
      new Map(ids.map((id) => [`#/$defs/${id}`, `#/components/schemas/${base(id)}${suffixed.has(id) ? suffix : ''}`]));
    let renamed = naming(new Set());
    const conflicts = ids.filter((id) => {
      const existing = this.components[base(id)];
      return existing !== undefined && !sameJson(existing, rewriteRefs(definitions[id]!, renamed));
    });
    if (conflicts.length > 0) renamed = naming(new Set(conflicts));
    const selfReferencing = JSON.stringify(generated).includes('"$ref":"#"');
    if (selfReferencing) renamed.set('#', `#/components/schemas/${name}`);
    for (const [id, definition] of Object.entries(definitions)) {
      this.add(renamed.get(`#/$defs/${id}`)!.slice('#/components/schemas/'.length), rewriteRefs(definition, renamed));
    }
    const converted = rewriteRefs(root, renamed);
    if (!selfReferencing) return converted;
    this.add(name, converted);
    return { $ref: `#/components/schemas/${name}` };
  }

  private add(name: string, schema: JsonObject): void {
    const existing = this.components[name];
    if (existing !== undefined && !sameJson(existing, schema)) throw new Error(`Two different schemas are named ${name} in the admin API document.`);
    this.components[name] = schema;
  }
}

function rewriteRefs(node: JsonObject, renamed: ReadonlyMap<string, string>): JsonObject {
  return JSON.parse(JSON.stringify(node), (key, value: unknown) =>
    key === '$ref' && typeof value === 'string' && renamed.has(value) ? renamed.get(value) : value,
  ) as JsonObject;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
