import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { apiJson, defineOperation, pageSchema, paginationQuery, type AdminApiOperation } from './define';
import { adminOpenApiDocument } from './openapi';

/**
 * The OpenAPI document made from operations (openapi.ts), on operations made up for the test:
 * parameters, bodies (their input side), answers (their output side), and the schemas zod names
 * or that refer to themselves, whose references must resolve inside the document.
 */

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- a JSON document read field by field

const handle = async () => apiJson({});

const Tag = z.object({ label: z.string() }).meta({ id: 'TestTag', description: 'A label.' });
type Tree = { name: string; children: Tree[] };
const TreeSchema: z.ZodType<Tree> = z.lazy(() => z.object({ name: z.string(), children: z.array(TreeSchema) }));
const Trimmed = z
  .object({ value: z.string().transform((text) => text.length) })
  .meta({ id: 'TestTrimmed' });

const OPERATIONS: AdminApiOperation[] = [
  defineOperation({
    method: 'GET',
    path: '/things',
    operationId: 'listThings',
    summary: 'List things',
    tag: 'Things',
    scope: 'clients:read',
    query: z.object({ ...paginationQuery, q: z.string().max(10).meta({ description: 'Search.' }) }),
    success: { status: 200, description: 'A page.', schema: pageSchema(z.object({ id: z.string(), tags: z.array(Tag), best: Tag.nullable() })) },
    handle,
  }),
  defineOperation({
    method: 'PATCH',
    path: '/things/{thingId}',
    operationId: 'changeThing',
    summary: 'Change a thing',
    tag: 'Things',
    scope: 'clients:write',
    params: z.object({ thingId: z.string().min(1) }),
    body: z.object({ name: z.string().transform((name) => name.trim()), tree: TreeSchema.optional(), trimmed: Trimmed.optional() }),
    success: { status: 200, description: 'Changed.', schema: z.object({ tree: TreeSchema, trimmed: Trimmed }) },
    errors: { 403: 'Not this thing.', 404: 'No such thing.' },
    handle,
  }),
  defineOperation({
    method: 'DELETE',
    path: '/things/{thingId}',
    operationId: 'deleteThing',
    summary: 'Delete a thing',
    tag: 'Things',
    scope: 'clients:write',
    params: z.object({ thingId: z.string() }),
    success: { status: 204, description: 'Deleted.' },
    handle,
  }),
];

const document = adminOpenApiDocument('https://id.example.test', OPERATIONS) as Json;

function refsIn(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((item) => refsIn(item, found));
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') found.push(value);
      else refsIn(value, found);
    }
  }
  return found;
}

function resolve(ref: string): unknown {
  return ref
    .slice(2)
    .split('/')
    .reduce<unknown>((node, part) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined), document);
}

describe('adminOpenApiDocument', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document));
    expect(result.errors).toBeUndefined();
    expect(validator.version).toBe('3.1');
  });

  it('resolves every $ref inside the document: named and recursive schemas become components', () => {
    const refs = refsIn(document);
    expect(refs).toContain('#/components/schemas/TestTag');
    expect(refs.some((ref) => ref.startsWith('#/$defs/') || ref === '#')).toBe(false);
    for (const ref of refs) expect(resolve(ref), ref).toBeDefined();
    expect(JSON.stringify(document)).not.toContain('"$defs"');
    expect(JSON.stringify(document)).not.toContain('"$schema"');
    expect(document.components.schemas.TestTag).toMatchObject({ type: 'object', description: 'A label.' });
    // The recursive tree, in the body and in the answer: a component each, referring to itself.
    const change = document.paths['/things/{thingId}'].patch;
    const tree = change.requestBody.content['application/json'].schema.properties.tree.$ref as string;
    expect(tree).toMatch(/^#\/components\/schemas\/ChangeThingBody/);
    expect(refsIn(resolve(tree))).toContain(tree);
    expect(change.responses['200'].content['application/json'].schema.properties.tree.$ref).toMatch(/^#\/components\/schemas\/ChangeThingResponse/);
  });

  it('keeps a named schema’s input and output sides apart when they differ', () => {
    const schemas = document.components.schemas as Json;
    const change = document.paths['/things/{thingId}'].patch;
    // The answer (converted first) has the output side: a transform's result has no JSON type.
    expect(change.responses['200'].content['application/json'].schema.properties.trimmed).toEqual({ $ref: '#/components/schemas/TestTrimmed' });
    expect(schemas.TestTrimmed.properties.value).toEqual({});
    expect(change.requestBody.content['application/json'].schema.properties.trimmed).toEqual({ $ref: '#/components/schemas/TestTrimmedInput' });
    expect(schemas.TestTrimmedInput.properties.value).toEqual({ type: 'string' });
  });

  it('describes path and query parameters, the body’s input side and the answer’s output side', () => {
    const list = document.paths['/things'].get;
    expect(list['x-required-scope']).toBe('clients:read');
    expect(list.parameters.map((parameter: Json) => [parameter.name, parameter.in, parameter.required])).toEqual([
      ['limit', 'query', false],
      ['cursor', 'query', false],
      ['q', 'query', true],
    ]);
    expect(list.parameters[2].description).toBe('Search.');
    const change = document.paths['/things/{thingId}'].patch;
    expect(change.parameters).toEqual([{ name: 'thingId', in: 'path', required: true, schema: { type: 'string', minLength: 1 } }]);
    expect(change.requestBody.content['application/json'].schema.properties.name).toEqual({ type: 'string' });
    expect(change.responses['403'].description).toBe('Not this thing.');
    expect(change.responses['404'].description).toBe('No such thing.');
    expect(change.responses['401'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' });
    const remove = document.paths['/things/{thingId}'].delete;
    expect(remove.responses['204']).toEqual({ description: 'Deleted.' });
    expect(remove.requestBody).toBeUndefined();
  });
});
