import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET as openApiRoute } from '../../app/api/admin/v1/openapi.json/route';
import { GET as listKeysRoute, POST as createKeyRoute } from '../../app/api/admin/v1/api-keys/route';
import { POST as rotateKeyRoute } from '../../app/api/admin/v1/api-keys/[keyId]/rotate/route';
import { API_KEY_SCOPES } from '../../lib/admin/api-keys';
import { ADMIN_API_OPERATIONS } from '../../lib/admin/api/registry';
import { useTestConfig } from '../support/config';
import { openTestDatabase, type TestDatabase } from '../support/database';
import { ADMIN_ISSUER, apiRequest, callApi, consoleActor, keyWith, newAdmin, type RouteHandler } from './admin-api-keys-support';

/**
 * The admin API's OpenAPI 3.1 document (/api/admin/v1/openapi.json): valid against the OpenAPI
 * 3.1 schema (@seriousme/openapi-schema-validator), every schema in it a valid JSON Schema
 * 2020-12 and every $ref resolving, every registered operation in it with its scope, parameters,
 * body and answers, nothing else in it; and what the routes answer matches what it says.
 */

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- a parsed JSON document

let database: TestDatabase;
let document: Json;

beforeAll(async () => {
  useTestConfig({ OPTARE_ISSUER: ADMIN_ISSUER });
  database = await openTestDatabase();
  const response = openApiRoute();
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  document = (await response.json()) as Json;
});
afterAll(() => database.close());

/** Every JSON Schema in the document: component schemas, parameters, bodies and answers. */
function schemasOf(doc: Json): Array<[string, Json]> {
  const found: Array<[string, Json]> = Object.entries(doc.components?.schemas ?? {}).map(([name, schema]) => [`#/components/schemas/${name}`, schema as Json]);
  for (const [path, item] of Object.entries<Json>(doc.paths)) {
    for (const [method, operation] of Object.entries<Json>(item)) {
      const where = `${method.toUpperCase()} ${path}`;
      for (const parameter of operation.parameters ?? []) found.push([`${where} parameter ${parameter.name}`, parameter.schema]);
      const body = operation.requestBody?.content?.['application/json']?.schema;
      if (body) found.push([`${where} body`, body]);
      for (const [status, answer] of Object.entries<Json>(operation.responses ?? {})) {
        const schema = answer.content?.['application/json']?.schema;
        if (schema) found.push([`${where} ${status}`, schema]);
      }
    }
  }
  return found;
}

/** A validator of JSON Schema 2020-12 (OpenAPI 3.1's dialect) that knows the document's components. */
function ajvFor(doc: Json) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: 'openapi.json', components: doc.components }, undefined, undefined, false);
  return ajv;
}

/** A document schema made self-contained: its #/components refs point into the added document. */
function standalone(schema: Json): Json {
  return JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"openapi.json#/components/')) as Json;
}

function pointer(doc: unknown, ref: string): unknown {
  return ref
    .slice(2)
    .split('/')
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce<unknown>((node, part) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined), doc);
}

describe('the document', () => {
  it('validates against the OpenAPI 3.1 schema', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document));
    expect(result.errors, JSON.stringify(result.errors, null, 2)).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    expect(document.openapi).toMatch(/^3\.1\.\d+$/);
  });

  it('(the validator is not a formality: it refuses a document with a broken operation)', async () => {
    const broken = structuredClone(document);
    const [path] = Object.keys(broken.paths);
    const [method] = Object.keys(broken.paths[path!]);
    delete broken.paths[path!][method!].responses[Object.keys(broken.paths[path!][method!].responses)[0]!].description;
    broken.paths[path!][method!].parameters = [{ name: 'x', in: 'nowhere' }];
    const result = await new Validator().validate(broken);
    expect(result.valid).toBe(false);
  });

  it('is served at a stable URL with the issuer as its server and bearer API keys as its security', () => {
    expect(document.servers).toEqual([{ url: `${ADMIN_ISSUER}/api/admin/v1` }]);
    expect(document.components.securitySchemes.apiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(document.security).toEqual([{ apiKey: [] }]);
    for (const scope of API_KEY_SCOPES) expect(document.components.securitySchemes.apiKey.description).toContain(scope);
  });

  it('holds only valid JSON Schema 2020-12 schemas', () => {
    const ajv = ajvFor(document);
    const schemas = schemasOf(document);
    expect(schemas.length).toBeGreaterThan(ADMIN_API_OPERATIONS.length);
    for (const [where, schema] of schemas) {
      expect(ajv.validateSchema(standalone(schema)), `${where}: ${ajv.errorsText()}`).toBe(true);
      expect(() => ajv.compile(standalone(schema)), where).not.toThrow();
    }
  });

  it('has every $ref resolving inside the document', () => {
    const refs: string[] = [];
    const walk = (node: unknown) => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        for (const [key, value] of Object.entries(node)) {
          if (key === '$ref' && typeof value === 'string') refs.push(value);
          else walk(value);
        }
      }
    };
    walk(document);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      expect(ref, 'only local references').toMatch(/^#\//);
      expect(pointer(document, ref), ref).toBeDefined();
    }
  });

  it('lists exactly the registered operations', () => {
    const inDocument = Object.entries<Json>(document.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`));
    expect(inDocument.sort()).toEqual(ADMIN_API_OPERATIONS.map((operation) => `${operation.method} ${operation.path}`).sort());
  });
});

describe.each(ADMIN_API_OPERATIONS.map((operation) => [`${operation.method} ${operation.path}`, operation] as const))('%s', (_label, operation) => {
  const entry = () => document.paths[operation.path]?.[operation.method.toLowerCase()] as Json;

  it('is in the document with its id, scope, summary and tag', () => {
    expect(entry()).toMatchObject({
      operationId: operation.operationId,
      summary: operation.summary,
      tags: [operation.tag],
      'x-required-scope': operation.scope,
    });
    expect(API_KEY_SCOPES).toContain(operation.scope);
  });

  it('declares each path parameter (required) and its query parameters', () => {
    const parameters = (entry().parameters ?? []) as Json[];
    const pathNames = [...operation.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => name);
    expect(parameters.filter((parameter) => parameter.in === 'path').map((parameter) => parameter.name).sort()).toEqual(pathNames.sort());
    for (const parameter of parameters.filter((item) => item.in === 'path')) expect(parameter.required).toBe(true);
    const queryNames = operation.query ? Object.keys((operation.query as unknown as { shape?: object }).shape ?? {}) : [];
    expect(parameters.filter((parameter) => parameter.in === 'query').map((parameter) => parameter.name).sort()).toEqual(queryNames.sort());
    for (const parameter of parameters) expect(parameter.schema, parameter.name).toBeTypeOf('object');
  });

  it('documents its body, its success and the common refusals', () => {
    const body = entry().requestBody;
    if (operation.body) expect(body?.content?.['application/json']?.schema).toBeTypeOf('object');
    else expect(body).toBeUndefined();
    const responses = entry().responses as Json;
    const success = responses[String(operation.success.status)];
    expect(success?.description).toBe(operation.success.description);
    if (operation.success.schema) expect(success.content['application/json'].schema).toBeTypeOf('object');
    for (const status of ['400', '401', '403', '429']) {
      expect(responses[status]?.content?.['application/json']?.schema).toEqual({ $ref: '#/components/schemas/Error' });
    }
    for (const [status, description] of Object.entries(operation.errors ?? {})) expect(responses[status]?.description).toBe(description);
  });
});

describe('what the routes answer matches the document', () => {
  function validatorFor(path: string, method: string, status: number) {
    const schema = document.paths[path][method].responses[String(status)].content['application/json'].schema as Json;
    return ajvFor(document).compile(standalone(schema));
  }

  async function expectConforms(response: Response, path: string, method: string, status: number) {
    const text = await response.text();
    expect(response.status, text).toBe(status);
    const validate = validatorFor(path, method, status);
    expect(validate(JSON.parse(text)), `${method.toUpperCase()} ${path} ${status}: ${JSON.stringify(validate.errors)}\n${text}`).toBe(true);
  }

  it('the api-keys operations, their successes and refusals', async () => {
    const admin = await newAdmin();
    const writer = await keyWith([...API_KEY_SCOPES], consoleActor(admin.id), 'conformance');
    await expectConforms(
      await callApi(createKeyRoute, 'POST', '/api-keys', { key: writer.key, body: JSON.stringify({ name: 'documented', scopes: ['audit:read'] }) }),
      '/api-keys',
      'post',
      201,
    );
    await expectConforms(await callApi(listKeysRoute, 'GET', '/api-keys', { key: writer.key }), '/api-keys', 'get', 200);
    await expectConforms(
      await callApi(rotateKeyRoute, 'POST', `/api-keys/${writer.id}/rotate`, { key: writer.key, params: { keyId: writer.id } }),
      '/api-keys/{keyId}/rotate',
      'post',
      201,
    );
    await expectConforms(await callApi(listKeysRoute, 'GET', '/api-keys', {}), '/api-keys', 'get', 401);
    await expectConforms(
      await callApi(createKeyRoute, 'POST', '/api-keys', { key: writer.key, body: JSON.stringify({ name: '', scopes: [] }) }),
      '/api-keys',
      'post',
      400,
    );
  });

  it('every collection (GET without path parameters) answers a 200 that matches its schema', async () => {
    const admin = await newAdmin();
    const every = await keyWith([...API_KEY_SCOPES], consoleActor(admin.id), 'reader of everything');
    const collections = ADMIN_API_OPERATIONS.filter((operation) => operation.method === 'GET' && !operation.path.includes('{'));
    expect(collections.length).toBeGreaterThan(0);
    for (const operation of collections) {
      const routeModule = (await import(/* @vite-ignore */ `../../app/api/admin/v1${operation.path}/route.ts`)) as Record<string, RouteHandler>;
      const response = await routeModule.GET!(apiRequest('GET', operation.path, { authorization: `Bearer ${every.key}` }), { params: Promise.resolve({}) });
      const type = response.headers.get('content-type') ?? '';
      if (!operation.success.schema || !/^application\/json/.test(type)) {
        await response.body?.cancel();
        continue; // a download (CSV, JSON Lines) is described in words, not a JSON schema
      }
      await expectConforms(response, operation.path, 'get', operation.success.status);
    }
  });
});
