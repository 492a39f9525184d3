import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revokeApiKey, rotateApiKey, generateApiKey, API_KEY_SCOPES, keyHasScope, type ApiKeyScope } from '../../lib/admin/api-keys';
import type { AdminApiOperation, HttpMethod } from '../../lib/admin/api/define';
import { ADMIN_API_OPERATIONS } from '../../lib/admin/api/registry';
import { settleRefusalAudits } from '../../lib/audit/refusals';
import { useTestConfig } from '../support/config';
import { openTestDatabase, type TestDatabase } from '../support/database';
import { ADMIN_ISSUER, apiRequest, consoleActor, expectRefused, keyWith, newAdmin, type RouteHandler } from './admin-api-keys-support';

/**
 * Authentication and authorization of every admin API route, taken from the registry (so a new
 * operation is covered the moment it is registered): no key, a malformed header, an unknown,
 * expired, revoked or rotated-out key (401, RFC 6750 §3), a key lacking the scope (403
 * insufficient_scope), the per-key rate limit (429); and the routes on disk are exactly the
 * registry's operations, so the OpenAPI document (made from the registry) matches the routes.
 */

const ROUTES_DIR = path.resolve(import.meta.dirname, '../../app/api/admin/v1');
const METHODS: readonly HttpMethod[] = ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'];
/** Served by the API but not an operation of it: the document itself, public. */
const NOT_OPERATIONS = new Set(['/openapi.json']);

/** '/clients/{clientId}' ↔ app/api/admin/v1/clients/[clientId]/route.ts */
function routeFile(operationPath: string): string {
  return path.join(ROUTES_DIR, ...operationPath.split('/').filter(Boolean).map((part) => part.replace(/^\{(\w+)\}$/, '[$1]')), 'route.ts');
}

/** Every route.ts below app/api/admin/v1, as its OpenAPI path. */
function routePathsOnDisk(): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(path.join(dir, entry.name));
      else if (entry.name === 'route.ts' || entry.name === 'route.tsx' || entry.name === 'route.js') {
        const relative = path.relative(ROUTES_DIR, dir).split(path.sep).filter(Boolean);
        found.push(`/${relative.map((part) => part.replace(/^\[(\w+)\]$/, '{$1}')).join('/')}`);
      }
    }
  };
  walk(ROUTES_DIR);
  return found;
}

async function handlerOf(operation: AdminApiOperation): Promise<RouteHandler> {
  const routeModule = (await import(/* @vite-ignore */ routeFile(operation.path))) as Record<string, unknown>;
  const handler = routeModule[operation.method];
  if (typeof handler !== 'function') throw new Error(`${routeFile(operation.path)} exports no ${operation.method}`);
  return handler as RouteHandler;
}

const PLACEHOLDER_ID = '00000000-0000-4000-8000-000000000000';

/** A request to the operation's route, its path parameters filled with a placeholder. */
async function call(operation: AdminApiOperation, authorization: string | null, url = operation.path): Promise<Response> {
  const params = Object.fromEntries([...operation.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => [name!, PLACEHOLDER_ID]));
  const concrete = url.replace(/\{(\w+)\}/g, PLACEHOLDER_ID);
  const hasBody = operation.method !== 'GET' && operation.method !== 'DELETE';
  const request = apiRequest(operation.method, concrete, { authorization, ...(hasBody ? { body: '{}' } : {}) });
  return (await handlerOf(operation))(request, { params: Promise.resolve(params) });
}

const label = (operation: AdminApiOperation) => `${operation.method} ${operation.path}`;

let database: TestDatabase;
let actor: ReturnType<typeof consoleActor>;
const keys: Record<'expired' | 'revoked' | 'rotatedOut', string> = { expired: '', revoked: '', rotatedOut: '' };

beforeAll(async () => {
  useTestConfig({ OPTARE_ISSUER: ADMIN_ISSUER });
  database = await openTestDatabase();
  actor = consoleActor((await newAdmin()).id);
  const every = [...API_KEY_SCOPES];

  const expired = await keyWith(every, actor, 'expired');
  await database.sql("UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1", [expired.id]);
  keys.expired = expired.key;

  const revoked = await keyWith(every, actor, 'revoked');
  await revokeApiKey(revoked.id, actor);
  keys.revoked = revoked.key;

  const rotated = await keyWith(every, actor, 'rotated');
  if (!(await rotateApiKey(rotated.id, actor)).ok) throw new Error('rotation refused');
  await database.sql("UPDATE api_keys SET superseded_at = now() - interval '1 second' WHERE id = $1", [rotated.id]);
  keys.rotatedOut = rotated.key;
});
afterAll(() => database.close());

const keysLacking = new Map<ApiKeyScope, Promise<string>>();
/** A key with every scope but `scope` (and the write scope that would include it). */
function keyLacking(scope: ApiKeyScope): Promise<string> {
  if (!keysLacking.has(scope)) {
    const others = API_KEY_SCOPES.filter((other) => !keyHasScope([other], scope));
    keysLacking.set(scope, keyWith(others, actor, `lacks ${scope}`).then((made) => made.key));
  }
  return keysLacking.get(scope)!;
}

const keysHolding = new Map<ApiKeyScope, Promise<string>>();
function keyHolding(scope: ApiKeyScope): Promise<string> {
  if (!keysHolding.has(scope)) keysHolding.set(scope, keyWith([scope], actor, `holds ${scope}`).then((made) => made.key));
  return keysHolding.get(scope)!;
}

/**
 * Events written, once the refusals being audited have landed, leaving out those audits of the
 * refusal itself (api_key.refused, security.invalid_input: refusal-audit.test.ts and
 * invalid-input-audit.test.ts check them): recorded after the answer, and a fresh unknown key is
 * a new one each time.
 */
async function auditCount(): Promise<number> {
  await settleRefusalAudits();
  const [row] = await database.sql<{ count: string }>("SELECT count(*) FROM audit_events WHERE type NOT IN ('api_key.refused', 'security.invalid_input')");
  return Number(row!.count);
}

describe('the routes match the registry (and so the OpenAPI document)', () => {
  it('has operations to check', () => {
    expect(ADMIN_API_OPERATIONS.length).toBeGreaterThanOrEqual(4);
  });

  it('each operation is one method of one path, with a unique operationId', () => {
    const keysSeen = ADMIN_API_OPERATIONS.map(label);
    expect(new Set(keysSeen).size).toBe(keysSeen.length);
    const ids = ADMIN_API_OPERATIONS.map((operation) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each(ADMIN_API_OPERATIONS.map((operation) => [label(operation), operation] as const))(
    '%s has its route file exporting that method',
    async (_label, operation) => {
      expect(fs.existsSync(routeFile(operation.path)), routeFile(operation.path)).toBe(true);
      expect(typeof (await handlerOf(operation))).toBe('function');
    },
  );

  it('every route file under app/api/admin/v1 serves only registered operations', async () => {
    const registered = new Set(ADMIN_API_OPERATIONS.map(label));
    const unregistered: string[] = [];
    for (const routePath of routePathsOnDisk()) {
      if (NOT_OPERATIONS.has(routePath)) continue;
      const routeModule = (await import(/* @vite-ignore */ routeFile(routePath))) as Record<string, unknown>;
      const exported = METHODS.filter((method) => typeof routeModule[method] === 'function');
      expect(exported.length, `${routePath} exports no handler`).toBeGreaterThan(0);
      for (const method of exported) if (!registered.has(`${method} ${routePath}`)) unregistered.push(`${method} ${routePath}`);
    }
    expect(unregistered).toEqual([]);
  });
});

const CREDENTIALS: Array<[string, () => string | null]> = [
  ['Basic credentials', () => 'Basic dXNlcjpwYXNzd29yZA=='],
  ['"Bearer" without a key', () => 'Bearer'],
  ['two tokens after Bearer', () => 'Bearer opk_aaaa bbbb'],
  ['the key without "Bearer"', () => generateApiKey().key],
  ['a bearer token that is not an API key', () => 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.'],
  ['a 10 kB token', () => `Bearer ${'A'.repeat(10_240)}`],
  ['an unknown, well-formed key', () => `Bearer ${generateApiKey().key}`],
  ['an expired key', () => `Bearer ${keys.expired}`],
  ['a revoked key', () => `Bearer ${keys.revoked}`],
  ['a rotated key past its overlap', () => `Bearer ${keys.rotatedOut}`],
];

describe.each(ADMIN_API_OPERATIONS.map((operation) => [label(operation), operation] as const))('%s', (_label, operation) => {
  it('without an Authorization header: 401 with a Bearer challenge and no error code', async () => {
    const before = await auditCount();
    const response = await call(operation, null);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="optare-admin"');
    expect(await expectRefused(response, 401)).toMatchObject({ error: 'unauthorized' });
    // A key in the query string is not a way in either (RFC 6750 §2.3 is not supported).
    const query = `${operation.path}${operation.path.includes('?') ? '&' : '?'}access_token=${generateApiKey().key}`;
    await expectRefused(await call(operation, null, query), 401);
    expect(await auditCount()).toBe(before);
  });

  it.each(CREDENTIALS)('with %s: 401 invalid_token', async (_what, authorization) => {
    const before = await auditCount();
    const response = await call(operation, authorization());
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="optare-admin", error="invalid_token"');
    expect(await expectRefused(response, 401)).toMatchObject({ error: 'invalid_token' });
    expect(await auditCount()).toBe(before);
  });

  it(`with a valid key lacking ${operation.scope}: 403 insufficient_scope, nothing done`, async () => {
    const key = await keyLacking(operation.scope);
    const before = await auditCount();
    const response = await call(operation, `Bearer ${key}`);
    expect(response.headers.get('www-authenticate')).toBe(`Bearer realm="optare-admin", error="insufficient_scope", scope="${operation.scope}"`);
    const body = await expectRefused(response, 403);
    expect(body).toMatchObject({ error: 'insufficient_scope' });
    expect(body.message).toContain(operation.scope);
    expect(await auditCount()).toBe(before);
  });

  it(`with a key holding only ${operation.scope}: past authentication and the scope check`, async () => {
    const response = await call(operation, `Bearer ${await keyHolding(operation.scope)}`);
    const text = await response.text();
    expect(response.status, text).not.toBe(401);
    if (response.status === 403) expect(JSON.parse(text).error, text).not.toBe('insufficient_scope');
    expect(response.status, text).toBeLessThan(500);
  });
});

describe('the per-key rate limit (OPTARE_RATE_LIMIT_ADMIN_API)', () => {
  it('refuses past the limit with 429 and Retry-After, audited once per window; other keys are not affected', async () => {
    useTestConfig({ OPTARE_ISSUER: ADMIN_ISSUER, OPTARE_RATE_LIMIT_ADMIN_API: '3/1m' });
    try {
      const busy = await keyWith(['api_keys:read'], actor, 'busy');
      const calm = await keyWith(['api_keys:read'], actor, 'calm');
      const list = ADMIN_API_OPERATIONS.find((operation) => operation.operationId === 'listApiKeys')!;
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await call(list, `Bearer ${busy.key}`)).status);
      expect(statuses).toEqual([200, 200, 200]);
      for (let i = 0; i < 3; i++) {
        const refused = await call(list, `Bearer ${busy.key}`);
        const retryAfter = Number(refused.headers.get('retry-after'));
        expect(retryAfter).toBeGreaterThan(0);
        expect(retryAfter).toBeLessThanOrEqual(60);
        expect(await expectRefused(refused, 429)).toMatchObject({ error: 'rate_limited' });
      }
      expect((await call(list, `Bearer ${calm.key}`)).status).toBe(200);
      const events = await database.sql<{ subject: string; details: Record<string, unknown> }>(
        "SELECT subject, details FROM audit_events WHERE type = 'security.rate_limited' AND subject = $1",
        [busy.id],
      );
      expect(events).toHaveLength(1);
      expect(events[0]!.details).toMatchObject({ limit: 'adminApi' });
    } finally {
      useTestConfig({ OPTARE_ISSUER: ADMIN_ISSUER });
    }
  });

  it('applies to every route: a key over its limit gets 429 everywhere, before any other check', async () => {
    useTestConfig({ OPTARE_ISSUER: ADMIN_ISSUER, OPTARE_RATE_LIMIT_ADMIN_API: '1/1m' });
    try {
      const key = await keyWith([...API_KEY_SCOPES], actor, 'exhausted');
      const list = ADMIN_API_OPERATIONS.find((operation) => operation.operationId === 'listApiKeys')!;
      expect((await call(list, `Bearer ${key.key}`)).status).toBe(200);
      for (const operation of ADMIN_API_OPERATIONS) {
        const response = await call(operation, `Bearer ${key.key}`);
        expect(response.status, label(operation)).toBe(429);
        expect(response.headers.get('retry-after'), label(operation)).toMatch(/^\d+$/);
        await response.body?.cancel();
      }
    } finally {
      useTestConfig({ OPTARE_ISSUER: ADMIN_ISSUER });
    }
  });
});
