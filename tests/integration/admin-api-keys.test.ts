import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GET as listRoute, POST as createRoute } from '../../app/api/admin/v1/api-keys/route';
import { DELETE as revokeRoute } from '../../app/api/admin/v1/api-keys/[keyId]/route';
import { POST as rotateRoute } from '../../app/api/admin/v1/api-keys/[keyId]/rotate/route';
import { POST as consoleCreate } from '../../app/api/admin/console/api-keys/route';
import { POST as consoleRevoke } from '../../app/api/admin/console/api-keys/revoke/route';
import { POST as consoleRotate } from '../../app/api/admin/console/api-keys/rotate/route';
import {
  authenticateApiKey,
  createApiKey,
  listApiKeys,
  revokeApiKey,
  rotateApiKey,
  type ApiKeySummary,
} from '../../lib/admin/api-keys';
import { useTestConfig } from '../support/config';
import { openTestDatabase, type TestDatabase } from '../support/database';
import {
  ADMIN_ISSUER,
  callApi,
  callConsole,
  consoleActor,
  consoleCookie,
  expectJson,
  expectRefused,
  keyWith,
  newAdmin,
} from './admin-api-keys-support';

/**
 * API keys (lib/admin/api-keys.ts), through the console's routes and the admin API's /api-keys
 * routes: created with a name, scopes and expiry and shown once (only the hash stored), listed
 * with status and a rotation flag, rotated with an overlap during which the old key still works,
 * revoked at once; every change audited with its actor and never with the key.
 */

const DAY = 86_400_000;
let database: TestDatabase;
let admin: Awaited<ReturnType<typeof newAdmin>>;

beforeAll(async () => {
  useTestConfig({ OPTARE_ISSUER: ADMIN_ISSUER });
  database = await openTestDatabase();
  admin = await newAdmin();
});
afterAll(() => database.close());
beforeEach(() => {
  useTestConfig({ OPTARE_ISSUER: ADMIN_ISSUER });
});

async function keyRow(id: string) {
  const [row] = await database.sql<Record<string, unknown> & { key_hash: Buffer; superseded_at: Date | null; rotated_to_id: string | null }>(
    'SELECT * FROM api_keys WHERE id = $1',
    [id],
  );
  return row!;
}

async function auditOf(type: string, subject: string) {
  return database.sql<{ actor_user_id: string | null; actor_api_key_id: string | null; details: Record<string, unknown>; row: string }>(
    'SELECT actor_user_id, actor_api_key_id, details, row_to_json(audit_events)::text AS row FROM audit_events WHERE type = $1 AND subject = $2 ORDER BY seq',
    [type, subject],
  );
}

async function counts() {
  const [row] = await database.sql<{ keys: string; events: string }>(
    'SELECT (SELECT count(*) FROM api_keys) AS keys, (SELECT count(*) FROM audit_events) AS events',
  );
  return row!;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest();

describe('createApiKey', () => {
  it('returns the key once and stores only its SHA-256; the audit event names the prefix, never the key', async () => {
    const result = await createApiKey({ name: '  Terraform  ', scopes: ['clients:write', 'audit:read'] }, consoleActor(admin.id));
    if (!result.ok) throw new Error(JSON.stringify(result));
    expect(result.key).toMatch(/^opk_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);
    expect(result.key.startsWith(`${result.apiKey.prefix}_`)).toBe(true);
    expect(result.apiKey).toMatchObject({ name: 'Terraform', scopes: ['clients:write', 'audit:read'], status: 'active', rotationDue: false });
    expect(result.apiKey).not.toHaveProperty('keyHash');

    const row = await keyRow(result.apiKey.id);
    expect(Buffer.compare(row.key_hash, sha256(result.key))).toBe(0);
    expect(JSON.stringify(row)).not.toContain(result.key.slice(13));
    expect(row.created_by_user_id).toBe(admin.id);

    const [event, ...more] = await auditOf('api_key.created', result.apiKey.id);
    expect(more).toHaveLength(0);
    expect(event).toMatchObject({ actor_user_id: admin.id, actor_api_key_id: null });
    expect(event!.details).toMatchObject({ name: 'Terraform', prefix: result.apiKey.prefix, scopes: ['clients:write', 'audit:read'] });
    expect(event!.row).not.toContain(result.key.slice(13));
  });

  it('expires in 90 days by default; a date means the end of that day (UTC); a date and time that moment', async () => {
    const before = Date.now();
    const byDefault = await createApiKey({ name: 'default', scopes: ['users:read'] }, consoleActor(admin.id));
    if (!byDefault.ok) throw new Error('refused');
    expect(byDefault.apiKey.expiresAt.getTime()).toBeGreaterThanOrEqual(before + 90 * DAY);
    expect(byDefault.apiKey.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + 90 * DAY);

    const day = new Date(Date.now() + 30 * DAY).toISOString().slice(0, 10);
    const byDate = await createApiKey({ name: 'date', scopes: ['users:read'], expiresAt: day }, consoleActor(admin.id));
    if (!byDate.ok) throw new Error('refused');
    expect(byDate.apiKey.expiresAt.toISOString()).toBe(new Date(Date.parse(`${day}T00:00:00Z`) + DAY).toISOString());

    const moment = new Date(Date.now() + 2 * DAY).toISOString();
    const byMoment = await createApiKey({ name: 'moment', scopes: ['users:read'], expiresAt: moment }, consoleActor(admin.id));
    if (!byMoment.ok) throw new Error('refused');
    expect(byMoment.apiKey.expiresAt.toISOString()).toBe(moment);
  });

  const tomorrow = () => new Date(Date.now() + DAY).toISOString().slice(0, 10);
  const INVALID: Array<[string, Record<string, unknown>, string]> = [
    ['no name', { scopes: ['users:read'] }, 'name'],
    ['a blank name', { name: '   ', scopes: ['users:read'] }, 'name'],
    ['a name of 101 characters', { name: 'x'.repeat(101), scopes: ['users:read'] }, 'name'],
    ['a name with a control character', { name: 'ci\u0007bot', scopes: ['users:read'] }, 'name'],
    ['a name with a bidi override', { name: 'ci\u202ebot', scopes: ['users:read'] }, 'name'],
    ['no scopes', { name: 'x' }, 'scopes'],
    ['an empty scope list', { name: 'x', scopes: [] }, 'scopes'],
    ['an unknown scope', { name: 'x', scopes: ['admin'] }, 'scopes'],
    ['a scope twice', { name: 'x', scopes: ['users:read', 'users:read'] }, 'scopes'],
    ['scopes as a string', { name: 'x', scopes: 'users:read' }, 'scopes'],
    ['an expiry today', { name: 'x', scopes: ['users:read'], expiresAt: new Date().toISOString().slice(0, 10) }, 'expiresAt'],
    ['an expiry in the past', { name: 'x', scopes: ['users:read'], expiresAt: '2020-01-01' }, 'expiresAt'],
    ['an expiry in an hour', { name: 'x', scopes: ['users:read'], expiresAt: new Date(Date.now() + 3_600_000).toISOString() }, 'expiresAt'],
    ['an expiry in three years', { name: 'x', scopes: ['users:read'], expiresAt: new Date(Date.now() + 3 * 365 * DAY).toISOString() }, 'expiresAt'],
    ['a date that does not exist', { name: 'x', scopes: ['users:read'], expiresAt: `${Number(tomorrow().slice(0, 4)) + 1}-02-30` }, 'expiresAt'],
    ['a date-time without an offset', { name: 'x', scopes: ['users:read'], expiresAt: `${tomorrow()}T10:00:00` }, 'expiresAt'],
    ['an expiry as a number', { name: 'x', scopes: ['users:read'], expiresAt: Date.now() + 30 * DAY }, 'expiresAt'],
  ];

  it.each(INVALID)('refuses %s with a field error, writing nothing', async (_label, input, field) => {
    const before = await counts();
    const result = await createApiKey(input, consoleActor(admin.id));
    expect(result.ok).toBe(false);
    expect(result).toHaveProperty(['fieldErrors', field]);
    expect(await counts()).toEqual(before);
  });

  it('flags an active key older than the rotation age as due for rotation; not one that is revoked or rotated', async () => {
    const fresh = await keyWith(['users:read'], consoleActor(admin.id), 'fresh');
    const old = await keyWith(['users:read'], consoleActor(admin.id), 'old');
    const oldRevoked = await keyWith(['users:read'], consoleActor(admin.id), 'old revoked');
    await database.sql("UPDATE api_keys SET created_at = now() - interval '91 days', expires_at = now() + interval '30 days' WHERE id = ANY($1::uuid[])", [
      [old.id, oldRevoked.id],
    ]);
    await revokeApiKey(oldRevoked.id, consoleActor(admin.id));
    const page = await listApiKeys({ limit: 100 });
    if (!page.ok) throw new Error('list failed');
    const byId = new Map(page.items.map((item) => [item.id, item]));
    expect(byId.get(fresh.id)).toMatchObject({ status: 'active', rotationDue: false });
    expect(byId.get(old.id)).toMatchObject({ status: 'active', rotationDue: true });
    expect(byId.get(oldRevoked.id)).toMatchObject({ status: 'revoked', rotationDue: false });

    // The age is a setting.
    useTestConfig({ OPTARE_ISSUER: ADMIN_ISSUER, OPTARE_API_KEY_ROTATION_AGE: '365d' });
    const later = await listApiKeys({ limit: 100 });
    expect(later.ok && later.items.find((item) => item.id === old.id)).toMatchObject({ rotationDue: false });
  });
});

describe('listApiKeys', () => {
  it('pages newest first with an opaque cursor, never showing a hash', async () => {
    const made = [];
    for (let i = 0; i < 3; i++) made.push(await keyWith(['audit:read'], consoleActor(admin.id), `page ${i}`));
    const seen: ApiKeySummary[] = [];
    let cursor: string | undefined;
    do {
      const page = await listApiKeys({ limit: 2, cursor });
      if (!page.ok) throw new Error('list failed');
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    const ids = seen.map((key) => key.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.indexOf(made[2]!.id)).toBeLessThan(ids.indexOf(made[1]!.id));
    expect(ids.indexOf(made[1]!.id)).toBeLessThan(ids.indexOf(made[0]!.id));
    for (const key of seen) expect(Object.keys(key)).not.toContain('keyHash');
    expect(await listApiKeys({ limit: 2, cursor: 'bm90IGEgY3Vyc29y' })).toEqual({ ok: false, error: 'invalid_cursor' });
  });
});

describe('rotateApiKey', () => {
  it('gives a new key with the same name, scopes and lifetime; the old one works until the overlap ends, then is refused', async () => {
    const old = await keyWith(['clients:read', 'users:read'], consoleActor(admin.id), 'CI deploy');
    await database.sql("UPDATE api_keys SET created_at = now() - interval '10 days', expires_at = now() + interval '20 days' WHERE id = $1", [old.id]);
    const before = Date.now();
    const result = await rotateApiKey(old.id, consoleActor(admin.id));
    if (!result.ok) throw new Error(JSON.stringify(result));
    expect(result.key).not.toBe(old.key);
    expect(result.apiKey).toMatchObject({ name: 'CI deploy', scopes: ['clients:read', 'users:read'], status: 'active' });
    // Same lifetime (30 days), counted from now.
    expect(Math.abs(result.apiKey.expiresAt.getTime() - (before + 30 * DAY))).toBeLessThan(5_000);
    expect(result.previous).toMatchObject({ id: old.id, status: 'rotating', rotatedToId: result.apiKey.id });

    const row = await keyRow(old.id);
    expect(row.rotated_to_id).toBe(result.apiKey.id);
    // OPTARE_API_KEY_OVERLAP's default: 24 hours.
    expect(Math.abs(row.superseded_at!.getTime() - (before + DAY))).toBeLessThan(5_000);
    expect(result.previous.worksUntil!.getTime()).toBe(row.superseded_at!.getTime());

    expect(await authenticateApiKey(`Bearer ${old.key}`, null)).toMatchObject({ ok: true });
    expect(await authenticateApiKey(`Bearer ${result.key}`, null)).toMatchObject({ ok: true });
    await database.sql("UPDATE api_keys SET superseded_at = now() - interval '1 second' WHERE id = $1", [old.id]);
    expect(await authenticateApiKey(`Bearer ${old.key}`, null)).toEqual({ ok: false, error: 'rotated' });
    expect(await authenticateApiKey(`Bearer ${result.key}`, null)).toMatchObject({ ok: true });

    const [event] = await auditOf('api_key.rotated', old.id);
    expect(event).toMatchObject({ actor_user_id: admin.id });
    expect(event!.details).toMatchObject({ prefix: old.prefix, newKeyId: result.apiKey.id, newPrefix: result.apiKey.prefix });
    expect(event!.row).not.toContain(result.key.slice(13));
    expect(event!.row).not.toContain(old.key.slice(13));
  });

  it('with no overlap configured, the old key stops at once', async () => {
    useTestConfig({ OPTARE_ISSUER: ADMIN_ISSUER, OPTARE_API_KEY_OVERLAP: '0' });
    const old = await keyWith(['users:read'], consoleActor(admin.id));
    const result = await rotateApiKey(old.id, consoleActor(admin.id));
    if (!result.ok) throw new Error('refused');
    expect(result.previous.status).toBe('rotated');
    expect(await authenticateApiKey(`Bearer ${old.key}`, null)).toEqual({ ok: false, error: 'rotated' });
  });

  it('refuses a key that was already rotated, is revoked or has expired, writing nothing', async () => {
    const rotated = await keyWith(['users:read'], consoleActor(admin.id));
    await rotateApiKey(rotated.id, consoleActor(admin.id));
    const revoked = await keyWith(['users:read'], consoleActor(admin.id));
    await revokeApiKey(revoked.id, consoleActor(admin.id));
    const expired = await keyWith(['users:read'], consoleActor(admin.id));
    await database.sql("UPDATE api_keys SET expires_at = now() - interval '1 minute' WHERE id = $1", [expired.id]);
    const before = await counts();
    expect(await rotateApiKey(rotated.id, consoleActor(admin.id))).toEqual({ ok: false, error: 'not_active', status: 'rotating' });
    expect(await rotateApiKey(revoked.id, consoleActor(admin.id))).toEqual({ ok: false, error: 'not_active', status: 'revoked' });
    expect(await rotateApiKey(expired.id, consoleActor(admin.id))).toEqual({ ok: false, error: 'not_active', status: 'expired' });
    expect(await rotateApiKey('00000000-0000-4000-8000-000000000000', consoleActor(admin.id))).toEqual({ ok: false, error: 'not_found' });
    expect(await rotateApiKey('not-a-key', consoleActor(admin.id))).toEqual({ ok: false, error: 'not_found' });
    expect(await counts()).toEqual(before);
  });

  it('of two rotations at once, exactly one succeeds', async () => {
    const old = await keyWith(['users:read'], consoleActor(admin.id), 'rotated twice at once');
    const results = await Promise.all([rotateApiKey(old.id, consoleActor(admin.id)), rotateApiKey(old.id, consoleActor(admin.id))]);
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(results.filter((result) => !result.ok)).toEqual([{ ok: false, error: 'not_active', status: 'rotating' }]);
    // The loser's successor was rolled back with it.
    const successors = await database.sql('SELECT id FROM api_keys WHERE name = $1 AND id <> $2', ['rotated twice at once', old.id]);
    expect(successors).toHaveLength(1);
    expect(await auditOf('api_key.rotated', old.id)).toHaveLength(1);
  });
});

describe('revokeApiKey', () => {
  it('stops a key at once, a rotated one in its overlap too; audited once; a second revocation is refused', async () => {
    const key = await keyWith(['users:read'], consoleActor(admin.id));
    const rotated = await rotateApiKey(key.id, consoleActor(admin.id));
    if (!rotated.ok) throw new Error('refused');
    expect(await authenticateApiKey(`Bearer ${key.key}`, null)).toMatchObject({ ok: true });
    const result = await revokeApiKey(key.id, consoleActor(admin.id));
    expect(result).toMatchObject({ ok: true, apiKey: { status: 'revoked' } });
    expect(await authenticateApiKey(`Bearer ${key.key}`, null)).toEqual({ ok: false, error: 'revoked' });
    // Its successor is another key: it goes on working.
    expect(await authenticateApiKey(`Bearer ${rotated.key}`, null)).toMatchObject({ ok: true });
    expect(await revokeApiKey(key.id, consoleActor(admin.id))).toEqual({ ok: false, error: 'already_revoked' });
    expect(await revokeApiKey('00000000-0000-4000-8000-000000000000', consoleActor(admin.id))).toEqual({ ok: false, error: 'not_found' });
    const events = await auditOf('api_key.revoked', key.id);
    expect(events).toHaveLength(1);
    expect(events[0]!.details).toMatchObject({ prefix: key.prefix, statusBefore: 'rotating' });
  });
});

describe('the admin API: /api/admin/v1/api-keys', () => {
  it('GET lists keys with their status and last use, a page at a time, never a hash or a key', async () => {
    const reader = await keyWith(['api_keys:read'], consoleActor(admin.id), 'reader');
    const first = await expectJson(await callApi(listRoute, 'GET', '/api-keys?limit=2', { key: reader.key }));
    expect(first.items).toHaveLength(2);
    expect(typeof first.nextCursor).toBe('string');
    const all = await expectJson(await callApi(listRoute, 'GET', '/api-keys?limit=100', { key: reader.key }));
    const self = all.items.find((item: { id: string }) => item.id === reader.id);
    expect(self).toMatchObject({ name: 'reader', prefix: reader.prefix, scopes: ['api_keys:read'], status: 'active', rotationDue: false, lastUsedIp: '192.0.2.99' });
    expect(Date.parse(self.lastUsedAt)).toBeGreaterThan(Date.now() - 60_000);
    for (const item of all.items) {
      expect(Object.keys(item).sort()).toEqual(
        ['createdAt', 'createdByUserId', 'expiresAt', 'id', 'lastUsedAt', 'lastUsedIp', 'name', 'prefix', 'revokedAt', 'rotatedToId', 'rotationDue', 'scopes', 'status', 'worksUntil'].sort(),
      );
    }
    const next = await expectJson(await callApi(listRoute, 'GET', `/api-keys?limit=2&cursor=${first.nextCursor}`, { key: reader.key }));
    expect(next.items.map((item: { id: string }) => item.id)).not.toContain(first.items[0].id);
    const bad = await expectRefused(await callApi(listRoute, 'GET', '/api-keys?cursor=garbage', { key: reader.key }), 400);
    expect(bad).toMatchObject({ fieldErrors: { cursor: [expect.any(String)] } });
  });

  it('POST creates a key (201, shown once) audited with the API key as actor', async () => {
    const writer = await keyWith(['api_keys:write', 'clients:read'], consoleActor(admin.id), 'automation');
    const body = await expectJson(
      await callApi(createRoute, 'POST', '/api-keys', { key: writer.key, body: JSON.stringify({ name: 'made by a key', scopes: ['clients:read'] }) }),
      201,
    );
    expect(body.key).toMatch(/^opk_[0-9a-f]{8}_/);
    expect(body.apiKey).toMatchObject({ name: 'made by a key', scopes: ['clients:read'], status: 'active', createdByUserId: null });
    const [event] = await auditOf('api_key.created', body.apiKey.id);
    expect(event).toMatchObject({ actor_user_id: null, actor_api_key_id: writer.id });
    expect(event!.row).not.toContain(body.key.slice(13));
    expect(await authenticateApiKey(`Bearer ${body.key}`, null)).toMatchObject({ ok: true });
  });

  it('POST /{keyId}/rotate answers the new key and when the old one stops; DELETE revokes (204); the revoked key gets 401', async () => {
    const writer = await keyWith(['api_keys:write'], consoleActor(admin.id), 'self-rotating');
    const rotated = await expectJson(await callApi(rotateRoute, 'POST', `/api-keys/${writer.id}/rotate`, { key: writer.key, params: { keyId: writer.id } }), 201);
    expect(rotated.apiKey).toMatchObject({ name: 'self-rotating', scopes: ['api_keys:write'], status: 'active' });
    expect(rotated.previous).toMatchObject({ id: writer.id, status: 'rotating', rotatedToId: rotated.apiKey.id });
    expect(Date.parse(rotated.previous.worksUntil)).toBeGreaterThan(Date.now() + DAY - 60_000);
    const [event] = await auditOf('api_key.rotated', writer.id);
    expect(event).toMatchObject({ actor_user_id: null, actor_api_key_id: writer.id });

    // The old key still works during the overlap: it revokes itself.
    const revoked = await callApi(revokeRoute, 'DELETE', `/api-keys/${writer.id}`, { key: writer.key, params: { keyId: writer.id } });
    expect(revoked.status).toBe(204);
    expect(revoked.headers.get('cache-control')).toBe('no-store');
    const refused = await expectRefused(await callApi(listRoute, 'GET', '/api-keys', { key: writer.key }), 401);
    expect(refused.error).toBe('invalid_token');
    await expectJson(await callApi(listRoute, 'GET', '/api-keys', { key: rotated.key }));

    await expectRefused(await callApi(revokeRoute, 'DELETE', `/api-keys/${writer.id}`, { key: rotated.key, params: { keyId: writer.id } }), 409);
    await expectRefused(await callApi(rotateRoute, 'POST', `/api-keys/${writer.id}/rotate`, { key: rotated.key, params: { keyId: writer.id } }), 409);
    const unknown = '00000000-0000-4000-8000-000000000000';
    await expectRefused(await callApi(rotateRoute, 'POST', `/api-keys/${unknown}/rotate`, { key: rotated.key, params: { keyId: unknown } }), 404);
    await expectRefused(await callApi(revokeRoute, 'DELETE', `/api-keys/${unknown}`, { key: rotated.key, params: { keyId: unknown } }), 404);
  });
});

describe('the console routes: /api/admin/console/api-keys', () => {
  it('create, rotate and revoke as the signed-in administrator, each audited with them', async () => {
    const cookie = await consoleCookie(admin.id);
    const created = await expectJson(
      await callConsole(consoleCreate, '/api-keys', { cookie, body: JSON.stringify({ name: 'from the console', scopes: ['users:read'], expiresAt: new Date(Date.now() + 10 * DAY).toISOString().slice(0, 10) }) }),
      201,
    );
    expect(created.key).toMatch(/^opk_/);
    expect(created.apiKey).toMatchObject({ name: 'from the console' });
    expect(Object.keys(created.apiKey).sort()).toEqual(['id', 'name', 'prefix']);
    expect(await auditOf('api_key.created', created.apiKey.id)).toMatchObject([{ actor_user_id: admin.id, actor_api_key_id: null }]);

    const rotated = await expectJson(await callConsole(consoleRotate, '/api-keys/rotate', { cookie, body: JSON.stringify({ id: created.apiKey.id }) }), 201);
    expect(rotated.key).toMatch(/^opk_/);
    expect(rotated.key).not.toBe(created.key);
    expect(Date.parse(rotated.previousWorksUntil)).toBeGreaterThan(Date.now());
    expect(await authenticateApiKey(`Bearer ${created.key}`, null)).toMatchObject({ ok: true });

    expect(await expectJson(await callConsole(consoleRevoke, '/api-keys/revoke', { cookie, body: JSON.stringify({ id: created.apiKey.id }) }))).toMatchObject({ revoked: true });
    expect(await authenticateApiKey(`Bearer ${created.key}`, null)).toEqual({ ok: false, error: 'revoked' });
    await expectRefused(await callConsole(consoleRevoke, '/api-keys/revoke', { cookie, body: JSON.stringify({ id: created.apiKey.id }) }), 409);
    await expectRefused(await callConsole(consoleRotate, '/api-keys/rotate', { cookie, body: JSON.stringify({ id: { $ne: null } }) }), 404);
  });

  it('puts the schema’s messages next to their fields', async () => {
    const cookie = await consoleCookie(admin.id);
    const body = await expectRefused(await callConsole(consoleCreate, '/api-keys', { cookie, body: JSON.stringify({ name: '', scopes: [], expiresAt: '2020-01-01' }) }), 400);
    expect(Object.keys(body.fieldErrors as object).sort()).toEqual(['expiresAt', 'name', 'scopes']);
  });

  it('refuses without a console sign-in (401), from another site (403) and for a non-admin, writing nothing', async () => {
    const before = await counts();
    const body = JSON.stringify({ name: 'sneaky', scopes: ['users:write'] });
    await expectRefused(await callConsole(consoleCreate, '/api-keys', { body }), 401);
    const cookie = await consoleCookie(admin.id);
    await expectRefused(await callConsole(consoleCreate, '/api-keys', { cookie, body, headers: { origin: 'https://evil.example' } }), 403);
    await database.sql('UPDATE users SET is_admin = false WHERE id = $1', [admin.id]);
    try {
      await expectRefused(await callConsole(consoleCreate, '/api-keys', { cookie, body }), 403);
    } finally {
      await database.sql('UPDATE users SET is_admin = true WHERE id = $1', [admin.id]);
    }
    const after = await counts();
    expect(after.keys).toBe(before.keys);
  });
});
