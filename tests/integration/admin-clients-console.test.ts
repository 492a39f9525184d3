/**
 * The console's client routes (/api/admin/console/clients…), called as the console's browser
 * code calls them: the administrator's console cookie, same-origin JSON. Who may call them,
 * what they change and record, and hostile input refused before anything is written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as createRoute from '../../app/api/admin/console/clients/route';
import * as updateRoute from '../../app/api/admin/console/clients/[clientId]/route';
import * as secretRoute from '../../app/api/admin/console/clients/[clientId]/secret/route';
import * as disableRoute from '../../app/api/admin/console/clients/[clientId]/disable/route';
import * as enableRoute from '../../app/api/admin/console/clients/[clientId]/enable/route';
import * as deleteRoute from '../../app/api/admin/console/clients/[clientId]/delete/route';
import type { TestDatabase } from '../support/database';
import { callConsole, consoleSignIn, expectJson, expectRefused, HOSTILE_BODIES, newAccount, newAdmin } from './admin-users-support';
import { openOAuthTestDatabase, REDIRECT_URI, token } from './token-endpoint.helpers';

/** A route handler as callConsole calls it (Next.js always passes the route context). */
const route = <Context>(handler: (request: Request, context: Context) => Promise<Response>) => handler as unknown as Parameters<typeof callConsole>[0];
const createHandler = route(createRoute.POST);
const update = route(updateRoute.POST);
const rotate = route(secretRoute.POST);
const disable = route(disableRoute.POST);
const enable = route(enableRoute.POST);
const remove = route(deleteRoute.POST);

let database: TestDatabase;
let adminId: string;
let cookie: string;

beforeAll(async () => {
  database = await openOAuthTestDatabase();
  adminId = (await newAdmin()).id;
  cookie = (await consoleSignIn(adminId)).cookie;
});
afterAll(() => database.close());

const SETTINGS = { name: 'Intranet', redirectUris: [REDIRECT_URI], grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'] };

async function create(settings: Record<string, unknown> = SETTINGS) {
  return (await expectJson(await callConsole(createHandler, '/clients', { cookie, body: JSON.stringify(settings) }), 201)) as {
    client: { id: string } & Record<string, unknown>;
    clientSecret: string | null;
  };
}

async function counts() {
  const [row] = await database.sql<{ clients: string; events: string }>(
    'SELECT (SELECT count(*) FROM oauth_clients) AS clients, (SELECT count(*) FROM audit_events WHERE type LIKE $1) AS events',
    ['client.%'],
  );
  return row;
}

async function lastEvent(subject: string) {
  const [event] = await database.sql<{ type: string; actor_user_id: string; actor_api_key_id: string | null; ip: string; details: Record<string, unknown> }>(
    'SELECT type, actor_user_id, actor_api_key_id, ip, details FROM audit_events WHERE subject = $1 ORDER BY seq DESC LIMIT 1',
    [subject],
  );
  return event;
}

function clientCredentials(clientId: string, secret: string) {
  return token({ client: { id: clientId } as never, secret }, { grant_type: 'client_credentials', scope: 'profile' });
}

describe('the console’s client routes', () => {
  it('create: 201 with the secret once, recorded with the administrator as actor', async () => {
    const { client, clientSecret } = await create();
    expect(clientSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(client).toMatchObject({ name: 'Intranet', hasSecret: true });
    expect(JSON.stringify(client)).not.toContain(clientSecret);
    expect(await lastEvent(client.id)).toMatchObject({ type: 'client.created', actor_user_id: adminId, actor_api_key_id: null, ip: '192.0.2.50' });
    expect((await clientCredentials(client.id, clientSecret!)).status).toBe(200);
  });

  it('update: every setting from the form, field errors next to their fields', async () => {
    const { client } = await create();
    const params = { clientId: client.id };
    const form = { ...client, name: 'Intranet (new)', redirectUris: ['https://intranet.example.com/cb'], firstParty: true };
    for (const key of ['id', 'hasSecret', 'previousSecretExpiresAt', 'managed', 'createdAt', 'updatedAt']) delete (form as Record<string, unknown>)[key];
    const updated = await expectJson(await callConsole(update, `/clients/${client.id}`, { cookie, params, body: JSON.stringify(form) }));
    expect(updated).toMatchObject({ changed: true, clientSecret: null, client: { name: 'Intranet (new)', firstParty: true } });
    const event = await lastEvent(client.id);
    expect(event).toMatchObject({ type: 'client.updated', actor_user_id: adminId });
    expect(event!.details.changes).toEqual([
      { field: 'firstParty', before: false, after: true },
      { field: 'name', before: 'Intranet', after: 'Intranet (new)' },
      { field: 'redirectUris', before: [REDIRECT_URI], after: ['https://intranet.example.com/cb'] },
    ]);

    const refused = await expectRefused(
      await callConsole(update, `/clients/${client.id}`, {
        cookie,
        params,
        body: JSON.stringify({ ...form, redirectUris: ['javascript:alert(1)', 'https://ok.example.com/cb#x'], corsOrigins: ['https://*.example.com'] }),
      }),
      400,
    );
    expect(Object.keys(refused.fieldErrors as object).sort()).toEqual(['corsOrigins', 'redirectUris']);
    expect((refused.fieldErrors as Record<string, string[]>).redirectUris).toHaveLength(2);
  });

  it('rotate: the new secret once and until when the old one works; immediate must be a boolean', async () => {
    const { client, clientSecret: old } = await create();
    const params = { clientId: client.id };
    const rotated = await expectJson(await callConsole(rotate, `/clients/${client.id}/secret`, { cookie, params }));
    expect(Date.parse(rotated.previousSecretExpiresAt)).toBeGreaterThan(Date.now());
    expect((await clientCredentials(client.id, old!)).status).toBe(200);
    expect((await clientCredentials(client.id, rotated.clientSecret)).status).toBe(200);
    expect(await lastEvent(client.id)).toMatchObject({ type: 'client.secret_rotated', actor_user_id: adminId });

    for (const immediate of ['true', 1, null, ['yes']]) {
      await expectRefused(await callConsole(rotate, `/clients/${client.id}/secret`, { cookie, params, body: JSON.stringify({ immediate }) }), 400);
    }
    const now = await expectJson(await callConsole(rotate, `/clients/${client.id}/secret`, { cookie, params, body: '{"immediate":true}' }));
    expect(now.previousSecretExpiresAt).toBeNull();
    expect((await clientCredentials(client.id, rotated.clientSecret)).status).toBe(401);
  });

  it('disable, enable, and delete only with the client’s name typed exactly', async () => {
    const { client, clientSecret } = await create({ ...SETTINGS, name: 'To be deleted' });
    const params = { clientId: client.id };
    expect(await expectJson(await callConsole(disable, `/clients/${client.id}/disable`, { cookie, params }))).toMatchObject({ changed: true });
    expect((await clientCredentials(client.id, clientSecret!)).status).toBe(401);
    expect(await lastEvent(client.id)).toMatchObject({ type: 'client.disabled', actor_user_id: adminId });
    expect(await expectJson(await callConsole(enable, `/clients/${client.id}/enable`, { cookie, params }))).toMatchObject({ changed: true });
    expect((await clientCredentials(client.id, clientSecret!)).status).toBe(200);

    for (const name of ['to be deleted', 'To be deleted ', '', null, ['To be deleted']]) {
      const refused = await expectRefused(await callConsole(remove, `/clients/${client.id}/delete`, { cookie, params, body: JSON.stringify({ name }) }), 400);
      expect(refused.error).toBe('confirmation_mismatch');
    }
    await expectRefused(await callConsole(remove, `/clients/${client.id}/delete`, { cookie, params }), 400);
    expect((await clientCredentials(client.id, clientSecret!)).status).toBe(200);

    expect(await expectJson(await callConsole(remove, `/clients/${client.id}/delete`, { cookie, params, body: '{"name":"To be deleted"}' }))).toEqual({ deleted: true });
    expect(await lastEvent(client.id)).toMatchObject({ type: 'client.deleted', actor_user_id: adminId });
    expect((await expectRefused(await callConsole(remove, `/clients/${client.id}/delete`, { cookie, params, body: '{"name":"To be deleted"}' }), 404)).error).toBe(
      'not_found',
    );
  });
});

describe('who may call them', () => {
  it('refuses the signed out, non-administrators and cross-site requests, writing nothing', async () => {
    const { client } = await create();
    const params = { clientId: client.id };
    const member = await newAccount();
    const memberCookie = (await consoleSignIn(member.id)).cookie;
    const before = await counts();
    const calls = [
      (options: { cookie?: string; headers?: Record<string, string> }) => callConsole(createHandler, '/clients', { ...options, body: JSON.stringify(SETTINGS) }),
      (options: { cookie?: string; headers?: Record<string, string> }) =>
        callConsole(update, `/clients/${client.id}`, { ...options, params, body: '{"name":"Taken over"}' }),
      (options: { cookie?: string; headers?: Record<string, string> }) => callConsole(rotate, `/clients/${client.id}/secret`, { ...options, params }),
      (options: { cookie?: string; headers?: Record<string, string> }) => callConsole(disable, `/clients/${client.id}/disable`, { ...options, params }),
      (options: { cookie?: string; headers?: Record<string, string> }) => callConsole(enable, `/clients/${client.id}/enable`, { ...options, params }),
      (options: { cookie?: string; headers?: Record<string, string> }) =>
        callConsole(remove, `/clients/${client.id}/delete`, { ...options, params, body: JSON.stringify({ name: 'Intranet' }) }),
    ];
    for (const call of calls) {
      expect((await call({})).status).toBe(401);
      expect((await call({ cookie: 'next-auth.session-token=forged' })).status).toBe(401);
      expect((await call({ cookie: memberCookie })).status).toBe(403);
      expect((await call({ cookie, headers: { origin: 'https://evil.example' } })).status).toBe(403);
      expect((await call({ cookie, headers: { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' } })).status).toBe(403);
    }
    expect(await counts()).toEqual(before);
  });
});

describe('hostile input', () => {
  const BODIES: Array<[string, string]> = [
    // Client settings may take up to 64 kB (API_BODY_LIMIT): the 100 kB body below is the oversized one.
    ...HOSTILE_BODIES.filter(([label]) => label !== '20 kB'),
    ['100 kB', JSON.stringify({ ...SETTINGS, name: 'x'.repeat(100 * 1024) })],
    ['a javascript: redirect URI', JSON.stringify({ ...SETTINGS, redirectUris: ['javascript:alert(1)'] })],
    ['a fragment', JSON.stringify({ ...SETTINGS, redirectUris: [`${REDIRECT_URI}#x`] })],
    ['a wildcard', JSON.stringify({ ...SETTINGS, redirectUris: ['https://*.example.test/callback'] })],
    ['a list as the name', JSON.stringify({ ...SETTINGS, name: ['Intranet'] })],
    ['a string as the grant types', JSON.stringify({ ...SETTINGS, grantTypes: 'client_credentials' })],
  ];

  it.each(BODIES)('create and update refuse %s with a 4xx and write nothing', async (_label, body) => {
    const { client } = await create();
    const [row] = await database.sql('SELECT * FROM oauth_clients WHERE id = $1', [client.id]);
    const before = await counts();
    await expectRefused(await callConsole(createHandler, '/clients', { cookie, body }));
    await expectRefused(await callConsole(update, `/clients/${client.id}`, { cookie, params: { clientId: client.id }, body }));
    expect(await counts()).toEqual(before);
    expect((await database.sql('SELECT * FROM oauth_clients WHERE id = $1', [client.id]))[0]).toEqual(row);
  });

  it('create refuses settings without a name', async () => {
    const before = await counts();
    const refused = await expectRefused(await callConsole(createHandler, '/clients', { cookie, body: JSON.stringify({ redirectUris: [REDIRECT_URI] }) }), 400);
    expect(refused.fieldErrors).toEqual({ name: ['Enter a name.'] });
    expect(await counts()).toEqual(before);
  });
});
