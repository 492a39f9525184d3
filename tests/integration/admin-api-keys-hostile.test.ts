import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET as listRoute, POST as createRoute } from '../../app/api/admin/v1/api-keys/route';
import { DELETE as revokeRoute } from '../../app/api/admin/v1/api-keys/[keyId]/route';
import { POST as rotateRoute } from '../../app/api/admin/v1/api-keys/[keyId]/rotate/route';
import { POST as consoleCreate } from '../../app/api/admin/console/api-keys/route';
import { POST as consoleRevoke } from '../../app/api/admin/console/api-keys/revoke/route';
import { POST as consoleRotate } from '../../app/api/admin/console/api-keys/rotate/route';
import { API_KEY_SCOPES } from '../../lib/admin/api-keys';
import { useTestConfig } from '../support/config';
import { openTestDatabase, type TestDatabase } from '../support/database';
import {
  ADMIN_ISSUER,
  apiRequest,
  callApi,
  callConsole,
  consoleActor,
  consoleCookie,
  expectRefused,
  keyWith,
  newAdmin,
} from './admin-api-keys-support';

/**
 * Hostile input to the API-key routes (admin API and console): broken and oversized bodies,
 * wrong types, markup, prototype pollution, injection in path parameters and queries. Always a
 * 4xx in Optare's error shape, nothing reflected unescaped, never a 500, and nothing written.
 */

let database: TestDatabase;
let writer: { key: string; id: string };
let cookie: string;
beforeAll(async () => {
  useTestConfig({ OPTARE_ISSUER: ADMIN_ISSUER });
  database = await openTestDatabase();
  const admin = await newAdmin();
  writer = await keyWith([...API_KEY_SCOPES], consoleActor(admin.id), 'hostile writer');
  cookie = await consoleCookie(admin.id);
});
afterAll(() => database.close());

async function writes() {
  const [row] = await database.sql<{ keys: string; events: string }>(
    "SELECT (SELECT count(*) FROM api_keys) AS keys, (SELECT count(*) FROM audit_events WHERE type LIKE 'api_key.%') AS events",
  );
  return row!;
}

const SCRIPT = '<script>alert(1)</script>';

/** Bodies POST /api-keys must refuse. */
const HOSTILE_BODIES: Array<[string, string | undefined]> = [
  ['no body', undefined],
  ['an empty body', ''],
  ['not JSON', 'name=x&scopes=users:read'],
  ['truncated JSON', '{"name": "x", "scopes": ["users:re'],
  ['a JSON array', '[]'],
  ['a JSON string', '"x"'],
  ['null', 'null'],
  ['an empty object', '{}'],
  ['70 kB (over the 64 kB limit)', JSON.stringify({ name: 'x', scopes: ['users:read'], pad: 'x'.repeat(70 * 1024) })],
  ['a 10 kB name', JSON.stringify({ name: 'x'.repeat(10_240), scopes: ['users:read'] })],
  ['10,000 scopes', JSON.stringify({ name: 'x', scopes: Array(10_000).fill('users:read') })],
  ['wrong types', JSON.stringify({ name: 42, scopes: { 'users:read': true }, expiresAt: false })],
  ['a script as a scope', JSON.stringify({ name: 'x', scopes: [SCRIPT] })],
  ['a script as the expiry', JSON.stringify({ name: 'x', scopes: ['users:read'], expiresAt: SCRIPT })],
  ['SQL as a scope', JSON.stringify({ name: 'x', scopes: ["users:read' OR 1=1 --"] })],
  ['a NUL in the name', JSON.stringify({ name: 'ci\u0000bot', scopes: ['users:read'] })],
  ['a lone surrogate in the name', '{"name": "ci\\ud800bot", "scopes": ["users:read"]}'],
  ['a prototype-polluting key', '{"__proto__": {"scopes": ["users:write"]}, "name": "x"}'],
  ['a constructor-polluting key', '{"constructor": {"prototype": {"scopes": ["users:write"]}}, "name": "x"}'],
  ['scopes nested in arrays', JSON.stringify({ name: 'x', scopes: [['users:read']] })],
];

describe('POST /api/admin/v1/api-keys', () => {
  it.each(HOSTILE_BODIES)('refuses %s with a 4xx, writing nothing', async (_label, body) => {
    const before = await writes();
    await expectRefused(await callApi(createRoute, 'POST', '/api-keys', { key: writer.key, body }));
    expect(await writes()).toEqual(before);
  });

  it('refuses invalid UTF-8 bytes and a non-JSON content type', async () => {
    const bytes = new Uint8Array([...Buffer.from('{"name":"'), 0xff, 0xfe, ...Buffer.from('","scopes":["users:read"]}')]);
    const invalid = new Request(`${ADMIN_ISSUER}/api/admin/v1/api-keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${writer.key}`, 'content-type': 'application/json' },
      body: bytes,
    });
    await expectRefused(await createRoute(invalid), 400);
    const form = apiRequest('POST', '/api-keys', {
      authorization: `Bearer ${writer.key}`,
      body: 'name=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    await expectRefused(await createRoute(form), 415);
  });

  it('stores a name with markup as text and answers it JSON-escaped', async () => {
    const response = await callApi(createRoute, 'POST', '/api-keys', { key: writer.key, body: JSON.stringify({ name: SCRIPT, scopes: ['users:read'] }) });
    expect(response.status).toBe(201);
    const text = await response.text();
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(JSON.parse(text).apiKey.name).toBe(SCRIPT);
  });
});

/** Values that must never reach the database as a key id. */
const BAD_KEY_IDS = [
  'not-a-uuid',
  '123',
  '00000000-0000-0000-0000-00000000000g',
  '00000000-0000-4000-8000-0000000000001',
  "' OR 1=1 --",
  '%00',
  '\u0000',
  'x'.repeat(5000),
  '../../etc/passwd',
  SCRIPT,
];

describe('/api/admin/v1/api-keys/{keyId}', () => {
  it.each(BAD_KEY_IDS)('refuses the key id %j on rotate and revoke with a 4xx, writing nothing', async (keyId) => {
    const before = await writes();
    await expectRefused(await callApi(rotateRoute, 'POST', '/api-keys/x/rotate', { key: writer.key, params: { keyId } }));
    await expectRefused(await callApi(revokeRoute, 'DELETE', '/api-keys/x', { key: writer.key, params: { keyId } }));
    expect(await writes()).toEqual(before);
  });
});

describe('GET /api/admin/v1/api-keys', () => {
  const QUERIES = [
    'limit=0',
    'limit=101',
    'limit=-1',
    'limit=abc',
    'limit=1e3',
    'limit=1&limit=2',
    `cursor=${'x'.repeat(300)}`,
    'cursor=%E0%A4%A',
    `cursor=${encodeURIComponent(Buffer.from('["2020-01-01T00:00:00Z","\' OR 1=1 --"]').toString('base64url'))}`,
    `cursor=${encodeURIComponent(Buffer.from('{"__proto__":1}').toString('base64url'))}`,
    'cursor=a&cursor=b',
  ];
  it.each(QUERIES)('refuses ?%s with a 4xx', async (query) => {
    await expectRefused(await callApi(listRoute, 'GET', `/api-keys?${query}`, { key: writer.key }), 400);
  });
});

describe('the console routes', () => {
  it.each(HOSTILE_BODIES.filter(([, body]) => body !== undefined))('create refuses %s with a 4xx, writing nothing', async (_label, body) => {
    const before = await writes();
    await expectRefused(await callConsole(consoleCreate, '/api-keys', { cookie, body }));
    expect(await writes()).toEqual(before);
  });

  it.each([
    ['no id', '{}'],
    ['an id of the wrong type', '{"id": 42}'],
    ['an object id', '{"id": {"$ne": null}}'],
    ...BAD_KEY_IDS.map((id): [string, string] => [`the id ${JSON.stringify(id).slice(0, 40)}`, JSON.stringify({ id })]),
  ])('rotate and revoke refuse %s with a 4xx, writing nothing', async (_label, body) => {
    const before = await writes();
    await expectRefused(await callConsole(consoleRotate, '/api-keys/rotate', { cookie, body }));
    await expectRefused(await callConsole(consoleRevoke, '/api-keys/revoke', { cookie, body }));
    expect(await writes()).toEqual(before);
  });
});
