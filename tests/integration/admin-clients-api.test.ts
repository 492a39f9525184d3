/**
 * The admin REST API's client operations (/api/admin/v1/clients…), called through their route
 * handlers with real API keys: scopes, the secret shown once and never a hash, rotation with an
 * overlap, and hostile input refused with a 4xx before anything is written.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as clientsRoute from '../../app/api/admin/v1/clients/route';
import * as clientRoute from '../../app/api/admin/v1/clients/[clientId]/route';
import * as secretRoute from '../../app/api/admin/v1/clients/[clientId]/secret/route';
import * as disableRoute from '../../app/api/admin/v1/clients/[clientId]/disable/route';
import * as enableRoute from '../../app/api/admin/v1/clients/[clientId]/enable/route';
import { clientsOperations } from '../../lib/admin/api/operations/clients';
import { adminOpenApiDocument } from '../../lib/admin/api/openapi';
import { CONSOLE_CLIENT_ID, ensureConsoleClient } from '../../lib/admin/console-client';
import type { TestDatabase } from '../support/database';
import { callApi, expectJson, expectRefused, newApiKey } from './admin-users-support';
import { newClient, openOAuthTestDatabase, REDIRECT_URI, token } from './token-endpoint.helpers';

let database: TestDatabase;
let writer: { key: string; id: string };
let reader: { key: string; id: string };
let usersKey: { key: string; id: string };

beforeAll(async () => {
  database = await openOAuthTestDatabase();
  writer = await newApiKey(['clients:write']);
  reader = await newApiKey(['clients:read']);
  usersKey = await newApiKey(['users:read', 'users:write', 'audit:read']);
});
afterAll(() => database.close());

const SETTINGS = { name: 'Reporting service', redirectUris: [REDIRECT_URI], grantTypes: ['authorization_code', 'client_credentials'] };

async function createViaApi(settings: Record<string, unknown> = SETTINGS) {
  const body = await expectJson(await callApi(clientsRoute.POST, 'POST', '/clients', { key: writer.key, body: JSON.stringify(settings) }), 201);
  return body as { client: { id: string } & Record<string, unknown>; clientSecret: string | null };
}

async function counts() {
  const [row] = await database.sql<{ clients: string; events: string }>(
    'SELECT (SELECT count(*) FROM oauth_clients) AS clients, (SELECT count(*) FROM audit_events WHERE type LIKE $1) AS events',
    ['client.%'],
  );
  return row;
}

async function storedRow(id: string) {
  const [row] = await database.sql('SELECT * FROM oauth_clients WHERE id = $1', [id]);
  return row;
}

function clientCredentials(clientId: string, secret: string) {
  return token({ client: { id: clientId } as never, secret }, { grant_type: 'client_credentials', scope: 'profile' });
}

describe('scopes', () => {
  it('lets clients:read read and not write, and refuses keys without a clients scope', async () => {
    const { client } = await createViaApi();
    const params = { clientId: client.id };
    await expectJson(await callApi(clientsRoute.GET, 'GET', '/clients', { key: reader.key }));
    await expectJson(await callApi(clientRoute.GET, 'GET', `/clients/${client.id}`, { key: reader.key, params }));
    const before = await counts();
    const writes: Array<[string, Promise<Response>]> = [
      ['create', callApi(clientsRoute.POST, 'POST', '/clients', { key: reader.key, body: JSON.stringify(SETTINGS) })],
      ['update', callApi(clientRoute.PATCH, 'PATCH', `/clients/${client.id}`, { key: reader.key, params, body: '{"name":"x"}' })],
      ['delete', callApi(clientRoute.DELETE, 'DELETE', `/clients/${client.id}`, { key: reader.key, params })],
      ['rotate', callApi(secretRoute.POST, 'POST', `/clients/${client.id}/secret`, { key: reader.key, params })],
      ['disable', callApi(disableRoute.POST, 'POST', `/clients/${client.id}/disable`, { key: reader.key, params })],
      ['enable', callApi(enableRoute.POST, 'POST', `/clients/${client.id}/enable`, { key: reader.key, params })],
    ];
    for (const [label, response] of writes) {
      const body = await expectRefused(await response, 403);
      expect(body.error, label).toBe('insufficient_scope');
    }
    expect((await expectRefused(await callApi(clientsRoute.GET, 'GET', '/clients', { key: usersKey.key }), 403)).error).toBe('insufficient_scope');
    expect((await callApi(clientsRoute.GET, 'GET', '/clients')).status).toBe(401);
    expect((await callApi(clientsRoute.GET, 'GET', '/clients', { key: `${writer.key.slice(0, -1)}x` })).status).toBe(401);
    expect(await counts()).toEqual(before);
  });
});

describe('the client operations', () => {
  it('creates (201, the secret once), reads, lists and never shows a secret or its hash', async () => {
    const { client, clientSecret } = await createViaApi();
    expect(clientSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(client).toMatchObject({ name: 'Reporting service', hasSecret: true, enabled: true, tokenEndpointAuthMethod: 'client_secret_basic' });
    expect((await clientCredentials(client.id, clientSecret!)).status).toBe(200);

    const readText = await (await callApi(clientRoute.GET, 'GET', `/clients/${client.id}`, { key: reader.key, params: { clientId: client.id } })).text();
    const listText = await (await callApi(clientsRoute.GET, 'GET', '/clients?limit=100', { key: reader.key })).text();
    for (const text of [readText, listText]) {
      expect(text).toContain(client.id);
      expect(text).not.toContain(clientSecret);
      expect(text).not.toMatch(/secretHash|secret_hash|previousSecretHash/);
    }
    expect(JSON.parse(readText)).toEqual(client);
    const [event] = await database.sql('SELECT actor_api_key_id, actor_user_id FROM audit_events WHERE subject = $1 AND type = $2', [client.id, 'client.created']);
    expect(event).toEqual({ actor_api_key_id: writer.id, actor_user_id: null });
  });

  it('searches with q and pages with an opaque cursor', async () => {
    const tag = `apisearch${Date.now().toString(36)}`;
    const ids: string[] = [];
    for (const suffix of ['one', 'two', 'three']) ids.push((await createViaApi({ ...SETTINGS, name: `${tag} ${suffix}` })).client.id);
    const first = await expectJson(await callApi(clientsRoute.GET, 'GET', `/clients?q=${tag.toUpperCase()}&limit=2`, { key: reader.key }));
    expect(first.items.map((item: { id: string }) => item.id)).toEqual([ids[2], ids[1]]);
    expect(typeof first.nextCursor).toBe('string');
    const second = await expectJson(
      await callApi(clientsRoute.GET, 'GET', `/clients?q=${tag}&limit=2&cursor=${encodeURIComponent(first.nextCursor)}`, { key: reader.key }),
    );
    expect(second).toEqual({ items: [expect.objectContaining({ id: ids[0] })], nextCursor: null });

    for (const query of ['limit=0', 'limit=101', 'limit=ten', `q=${'x'.repeat(101)}`, 'cursor=garbage', 'q=a&q=b']) {
      await expectRefused(await callApi(clientsRoute.GET, 'GET', `/clients?${query}`, { key: reader.key }), 400);
    }
  });

  it('changes some settings with PATCH and keeps the others', async () => {
    const { client, clientSecret } = await createViaApi();
    const params = { clientId: client.id };
    const changed = await expectJson(
      await callApi(clientRoute.PATCH, 'PATCH', `/clients/${client.id}`, { key: writer.key, params, body: JSON.stringify({ name: 'Reports', accessTokenTtl: 900 }) }),
    );
    expect(changed).toMatchObject({ changed: true, clientSecret: null, client: { name: 'Reports', accessTokenTtl: 900, redirectUris: [REDIRECT_URI] } });
    expect((await clientCredentials(client.id, clientSecret!)).status).toBe(200);

    const [event] = await database.sql<{ actor_api_key_id: string; details: { changes: unknown[] } }>(
      'SELECT actor_api_key_id, details FROM audit_events WHERE subject = $1 AND type = $2',
      [client.id, 'client.updated'],
    );
    expect(event!.actor_api_key_id).toBe(writer.id);
    expect(event!.details.changes).toEqual([
      { field: 'accessTokenTtl', before: 3600, after: 900 },
      { field: 'name', before: 'Reporting service', after: 'Reports' },
    ]);
  });

  it('rotates the secret with an overlap, or at once with immediate=true', async () => {
    const { client, clientSecret: first } = await createViaApi();
    const params = { clientId: client.id };
    const rotated = await expectJson(await callApi(secretRoute.POST, 'POST', `/clients/${client.id}/secret`, { key: writer.key, params }));
    expect(rotated.clientSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(rotated.previousSecretExpiresAt)).toBeGreaterThan(Date.now() + 86_000_000);
    expect(rotated.client.previousSecretExpiresAt).toBe(rotated.previousSecretExpiresAt);
    expect((await clientCredentials(client.id, first!)).status).toBe(200);
    expect((await clientCredentials(client.id, rotated.clientSecret)).status).toBe(200);

    const again = await expectJson(await callApi(secretRoute.POST, 'POST', `/clients/${client.id}/secret?immediate=true`, { key: writer.key, params }));
    expect(again.previousSecretExpiresAt).toBeNull();
    expect((await clientCredentials(client.id, rotated.clientSecret)).status).toBe(401);
    expect((await clientCredentials(client.id, again.clientSecret)).status).toBe(200);

    await expectRefused(await callApi(secretRoute.POST, 'POST', `/clients/${client.id}/secret?immediate=yes`, { key: writer.key, params }), 400);
    const { client: publicClient } = await createViaApi({ name: 'SPA', type: 'public', redirectUris: [REDIRECT_URI] });
    const noSecret = await expectRefused(
      await callApi(secretRoute.POST, 'POST', `/clients/${publicClient.id}/secret`, { key: writer.key, params: { clientId: publicClient.id } }),
      409,
    );
    expect(noSecret.error).toBe('no_secret');
  });

  it('disables, enables and deletes (204), then answers 404', async () => {
    const { client, clientSecret } = await createViaApi();
    const params = { clientId: client.id };
    expect(await expectJson(await callApi(disableRoute.POST, 'POST', `/clients/${client.id}/disable`, { key: writer.key, params }))).toMatchObject({
      changed: true,
      client: { enabled: false },
    });
    expect((await clientCredentials(client.id, clientSecret!)).status).toBe(401);
    expect(await expectJson(await callApi(disableRoute.POST, 'POST', `/clients/${client.id}/disable`, { key: writer.key, params }))).toMatchObject({ changed: false });
    expect(await expectJson(await callApi(enableRoute.POST, 'POST', `/clients/${client.id}/enable`, { key: writer.key, params }))).toMatchObject({
      changed: true,
      client: { enabled: true },
    });
    expect((await clientCredentials(client.id, clientSecret!)).status).toBe(200);

    const deleted = await callApi(clientRoute.DELETE, 'DELETE', `/clients/${client.id}`, { key: writer.key, params });
    expect(deleted.status).toBe(204);
    expect(await deleted.text()).toBe('');
    expect(deleted.headers.get('cache-control')).toBe('no-store');
    for (const response of [
      callApi(clientRoute.GET, 'GET', `/clients/${client.id}`, { key: writer.key, params }),
      callApi(clientRoute.DELETE, 'DELETE', `/clients/${client.id}`, { key: writer.key, params }),
      callApi(clientRoute.PATCH, 'PATCH', `/clients/${client.id}`, { key: writer.key, params, body: '{"name":"x"}' }),
      callApi(secretRoute.POST, 'POST', `/clients/${client.id}/secret`, { key: writer.key, params }),
      callApi(enableRoute.POST, 'POST', `/clients/${client.id}/enable`, { key: writer.key, params }),
    ]) {
      expect((await expectRefused(await response, 404)).error).toBe('not_found');
    }
  });

  it('answers 409 for the admin console’s own client', async () => {
    await ensureConsoleClient();
    const params = { clientId: CONSOLE_CLIENT_ID };
    expect(await expectJson(await callApi(clientRoute.GET, 'GET', `/clients/${CONSOLE_CLIENT_ID}`, { key: reader.key, params }))).toMatchObject({ managed: true });
    for (const response of [
      callApi(clientRoute.PATCH, 'PATCH', `/clients/${CONSOLE_CLIENT_ID}`, { key: writer.key, params, body: '{"name":"x"}' }),
      callApi(clientRoute.DELETE, 'DELETE', `/clients/${CONSOLE_CLIENT_ID}`, { key: writer.key, params }),
      callApi(disableRoute.POST, 'POST', `/clients/${CONSOLE_CLIENT_ID}/disable`, { key: writer.key, params }),
    ]) {
      expect((await expectRefused(await response, 409)).error).toBe('managed_client');
    }
  });
});

describe('hostile input', () => {
  /** [what, body, status (400 with field errors when absent)] */
  const BAD_BODIES: Array<[string, string, number?]> = [
    ['a 100 kB body', JSON.stringify({ ...SETTINGS, name: 'x'.repeat(100 * 1024) }), 413],
    ['not JSON', 'name=x', 400],
    ['truncated JSON', '{"name": "x', 400],
    ['a JSON array', JSON.stringify([SETTINGS]), 400],
    ['null', 'null', 400],
    ['no name', JSON.stringify({ redirectUris: [REDIRECT_URI] })],
    ['a list as the name', JSON.stringify({ ...SETTINGS, name: ['a', 'b'] })],
    ['an object as the name', JSON.stringify({ ...SETTINGS, name: { toString: 'x' } })],
    ['a string as the redirect URIs', JSON.stringify({ ...SETTINGS, redirectUris: REDIRECT_URI })],
    ['a javascript: redirect URI', JSON.stringify({ ...SETTINGS, redirectUris: ['javascript:alert(1)//'] })],
    ['a JavaScript: redirect URI in capitals', JSON.stringify({ ...SETTINGS, redirectUris: ['JavaScript:alert(1)'] })],
    ['a redirect URI with a fragment', JSON.stringify({ ...SETTINGS, redirectUris: [`${REDIRECT_URI}#frag`] })],
    ['a wildcard redirect URI', JSON.stringify({ ...SETTINGS, redirectUris: ['https://*.example.test/callback'] })],
    ['a redirect URI with credentials', JSON.stringify({ ...SETTINGS, redirectUris: ['https://user:pass@app.example.test/cb'] })],
    ['an oversized redirect URI', JSON.stringify({ ...SETTINGS, redirectUris: [`https://app.example.test/${'a'.repeat(2100)}`] })],
    ['an origin with a path', JSON.stringify({ ...SETTINGS, corsOrigins: ['https://app.example.test/path'] })],
    ['a null origin', JSON.stringify({ ...SETTINGS, corsOrigins: ['null'] })],
    ['a negative lifetime', JSON.stringify({ ...SETTINGS, accessTokenTtl: -1 })],
    ['a prototype-polluting key', '{"__proto__":{"isAdmin":true},"name":"x","redirectUris":["javascript:x"]}'],
  ];

  it.each(BAD_BODIES)('POST /clients refuses %s and writes nothing', async (_label, body, status) => {
    const before = await counts();
    const response = await callApi(clientsRoute.POST, 'POST', '/clients', { key: writer.key, body });
    const refused = await expectRefused(response, status ?? 400);
    if (status === undefined) expect(Object.keys(refused.fieldErrors as object).length).toBeGreaterThan(0);
    expect(await counts()).toEqual(before);
  });

  it('PATCH refuses bad settings, unknown fields and wrong content types, and writes nothing', async () => {
    const { client } = await newClient({ name: 'Target' });
    const params = { clientId: client.id };
    const row = await storedRow(client.id);
    const before = await counts();
    for (const [body, status] of [
      [JSON.stringify({ redirectUris: ['javascript:alert(1)'] }), 400],
      [JSON.stringify({ redirectUris: [`${REDIRECT_URI}#x`] }), 400],
      [JSON.stringify({ corsOrigins: ['https://*.example.test'] }), 400],
      [JSON.stringify({ redirect_uris: ['https://elsewhere.example/cb'] }), 400],
      [JSON.stringify({ enabled: false }), 400],
      [JSON.stringify({ name: ['x'] }), 400],
      [JSON.stringify({ scopes: 'openid' }), 400],
      [JSON.stringify({ name: 'x'.repeat(100 * 1024) }), 413],
      ['[]', 400],
    ] as const) {
      await expectRefused(await callApi(clientRoute.PATCH, 'PATCH', `/clients/${client.id}`, { key: writer.key, params, body }), status);
    }
    await expectRefused(
      await callApi(clientRoute.PATCH, 'PATCH', `/clients/${client.id}`, { key: writer.key, params, body: '{"name":"x"}', headers: { 'content-type': 'text/plain' } }),
      415,
    );
    expect(await storedRow(client.id)).toEqual(row);
    expect(await counts()).toEqual(before);
  });

  it('refuses client ids that cannot exist without looking them up, and unknown ones with 404', async () => {
    for (const clientId of ['x'.repeat(65), '']) {
      await expectRefused(await callApi(clientRoute.GET, 'GET', '/clients/x', { key: reader.key, params: { clientId } }), 400);
    }
    for (const clientId of ["' OR 1=1 --", '../../etc/passwd', '%00', 'oc_unknown']) {
      await expectRefused(await callApi(clientRoute.GET, 'GET', '/clients/x', { key: reader.key, params: { clientId } }), 404);
    }
  });
});

describe('the OpenAPI document', () => {
  it('describes every client operation, each served by a route file with its method', () => {
    const document = adminOpenApiDocument('https://id.example.test') as { paths: Record<string, Record<string, { 'x-required-scope': string }>> };
    const expected = [
      ['GET', '/clients', 'clients:read'],
      ['POST', '/clients', 'clients:write'],
      ['GET', '/clients/{clientId}', 'clients:read'],
      ['PATCH', '/clients/{clientId}', 'clients:write'],
      ['DELETE', '/clients/{clientId}', 'clients:write'],
      ['POST', '/clients/{clientId}/secret', 'clients:write'],
      ['POST', '/clients/{clientId}/disable', 'clients:write'],
      ['POST', '/clients/{clientId}/enable', 'clients:write'],
    ];
    expect(clientsOperations.map((op) => [op.method, op.path, op.scope]).sort()).toEqual([...expected].sort());
    for (const [method, apiPath, scope] of expected) {
      expect(document.paths[apiPath!]?.[method!.toLowerCase()]?.['x-required-scope']).toBe(scope);
      const file = path.join(import.meta.dirname, '../../app/api/admin/v1', apiPath!.replace(/\{(\w+)\}/g, '[$1]'), 'route.ts');
      expect(fs.readFileSync(file, 'utf8')).toMatch(new RegExp(`export const ${method} = adminApiHandler\\(`));
    }
  });
});
