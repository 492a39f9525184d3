import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as createRoute } from '../../app/api/admin/v1/api-keys/route';
import { POST as rotateRoute } from '../../app/api/admin/v1/api-keys/[keyId]/rotate/route';
import { API_KEY_SCOPES, keyHasScope, type ApiKeyScope } from '../../lib/admin/api-keys';
import { useTestConfig } from '../support/config';
import { openTestDatabase, type TestDatabase } from '../support/database';
import { ADMIN_ISSUER, callApi, consoleActor, expectJson, expectRefused, keyWith, newAdmin } from './admin-api-keys-support';

/**
 * Privilege escalation through the API: a key with api_keys:write must not mint (create or
 * rotate into being) a key holding a scope it does not hold itself. Refused with 403
 * scope_not_held, naming the scopes, and nothing written.
 */

let database: TestDatabase;
let admin: Awaited<ReturnType<typeof newAdmin>>;
beforeAll(async () => {
  useTestConfig({ OPTARE_ISSUER: ADMIN_ISSUER });
  database = await openTestDatabase();
  admin = await newAdmin();
});
afterAll(() => database.close());

async function counts() {
  const [row] = await database.sql<{ keys: string; events: string }>(
    'SELECT (SELECT count(*) FROM api_keys) AS keys, (SELECT count(*) FROM audit_events) AS events',
  );
  return row!;
}

const create = (key: string, scopes: readonly string[]) =>
  callApi(createRoute, 'POST', '/api-keys', { key, body: JSON.stringify({ name: 'minted', scopes }) });

describe('POST /api-keys by an API key', () => {
  // Every scope the writer does not hold, for a writer holding api_keys:write and clients:read.
  const held: ApiKeyScope[] = ['api_keys:write', 'clients:read'];
  const notHeld = API_KEY_SCOPES.filter((scope) => !keyHasScope(held, scope));

  it.each(notHeld)('refuses to give a new key %s, which the key does not hold (403 scope_not_held), writing nothing', async (scope) => {
    const writer = await keyWith(held, consoleActor(admin.id));
    const before = await counts();
    const body = await expectRefused(await create(writer.key, ['clients:read', scope]), 403);
    expect(body.error).toBe('scope_not_held');
    expect(body.message).toContain(scope);
    expect(body.message).not.toContain('clients:read'); // only what it lacks
    expect(await counts()).toEqual(before);
  });

  it('allows scopes it holds, and the reads its writes include', async () => {
    const writer = await keyWith(held, consoleActor(admin.id));
    const body = await expectJson(await create(writer.key, ['clients:read', 'api_keys:read', 'api_keys:write']), 201);
    expect(body.apiKey.scopes).toEqual(['clients:read', 'api_keys:read', 'api_keys:write']);
  });

  it('a read scope does not let a key hand out the write scope', async () => {
    const writer = await keyWith(['api_keys:write', 'users:read'], consoleActor(admin.id));
    expect(await expectRefused(await create(writer.key, ['users:write']), 403)).toMatchObject({ error: 'scope_not_held' });
  });

  it('an administrator in the console may give any scope', async () => {
    const every = await keyWith([...API_KEY_SCOPES], consoleActor(admin.id));
    const body = await expectJson(await create(every.key, API_KEY_SCOPES), 201);
    expect(body.apiKey.scopes).toEqual([...API_KEY_SCOPES]);
  });
});

describe('POST /api-keys/{keyId}/rotate by an API key', () => {
  it('refuses to rotate a key whose scopes it does not hold (the successor would hold them), writing nothing', async () => {
    const powerful = await keyWith(['users:write', 'clients:write'], consoleActor(admin.id), 'powerful');
    const writer = await keyWith(['api_keys:write', 'clients:write'], consoleActor(admin.id), 'writer');
    const before = await counts();
    const body = await expectRefused(
      await callApi(rotateRoute, 'POST', `/api-keys/${powerful.id}/rotate`, { key: writer.key, params: { keyId: powerful.id } }),
      403,
    );
    expect(body).toMatchObject({ error: 'scope_not_held' });
    expect(body.message).toContain('users:write');
    expect(await counts()).toEqual(before);
    const [row] = await database.sql<{ superseded_at: Date | null }>('SELECT superseded_at FROM api_keys WHERE id = $1', [powerful.id]);
    expect(row!.superseded_at).toBeNull();
  });

  it('rotates a key whose scopes it holds', async () => {
    const modest = await keyWith(['clients:read'], consoleActor(admin.id), 'modest');
    const writer = await keyWith(['api_keys:write', 'clients:write'], consoleActor(admin.id), 'writer');
    const body = await expectJson(
      await callApi(rotateRoute, 'POST', `/api-keys/${modest.id}/rotate`, { key: writer.key, params: { keyId: modest.id } }),
      201,
    );
    expect(body.apiKey.scopes).toEqual(['clients:read']);
  });
});
