/**
 * OAuth client management in the admin plane (lib/admin/clients.ts over lib/oauth/clients):
 * every setting changed with its before and after in the audit log, disabling and enabling as
 * the endpoints see it, secret rotation with an overlap, deletion, search and pagination.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminActor } from '../../lib/admin/actor';
import {
  createAdminClient,
  deleteAdminClient,
  getAdminClient,
  listAdminClients,
  rotateAdminClientSecret,
  setAdminClientEnabled,
  updateAdminClient,
  type AdminClient,
} from '../../lib/admin/clients';
import { CONSOLE_CLIENT_ID, ensureConsoleClient } from '../../lib/admin/console-client';
import { REDACTED } from '../../lib/audit/events';
import { invalidateClientCache } from '../../lib/oauth/clients/cache';
import { rotateClientSecret } from '../../lib/oauth/clients/registration';
import type { TestDatabase } from '../support/database';
import { testContext } from '../support/context';
import { newAdmin, newApiKey } from './admin-users-support';
import { authorizeGet, authorizeParams, expectErrorPage } from './authorize-support';
import {
  answer,
  formRequest,
  newUser,
  openOAuthTestDatabase,
  REDIRECT_URI,
  signIn,
  token,
  userinfo,
  type TestClient,
} from './token-endpoint.helpers';
import { tokenEndpoint } from '../../lib/oauth/endpoints/token';

let database: TestDatabase;
let admin: AdminActor;
let keyActor: AdminActor;
let adminId: string;
let apiKeyId: string;

beforeAll(async () => {
  database = await openOAuthTestDatabase();
  adminId = (await newAdmin()).id;
  admin = { kind: 'user', userId: adminId, context: testContext({ ip: '192.0.2.50', userAgent: 'console-test' }) };
  apiKeyId = (await newApiKey(['clients:write'])).id;
  keyActor = { kind: 'api_key', apiKeyId, context: testContext({ ip: '192.0.2.99', userAgent: 'api-test' }) };
});
afterAll(() => database.close());

const APP = { name: 'Billing portal', redirectUris: [REDIRECT_URI] };

async function create(settings: Record<string, unknown> = {}, actor: AdminActor = admin) {
  const result = await createAdminClient({ ...APP, ...settings }, actor);
  if (!result.ok) throw new Error(JSON.stringify(result));
  return result;
}

type EventRow = { type: string; actor_user_id: string | null; actor_api_key_id: string | null; ip: string | null; details: Record<string, unknown> };

async function events(subject: string, type?: string): Promise<EventRow[]> {
  return database.sql<EventRow>(
    `SELECT type, actor_user_id, actor_api_key_id, ip, details FROM audit_events WHERE subject = $1 ${type ? 'AND type = $2' : ''} ORDER BY seq`,
    type ? [subject, type] : [subject],
  );
}

async function storedRow(id: string) {
  const [row] = await database.sql('SELECT * FROM oauth_clients WHERE id = $1', [id]);
  return row;
}

/** A client_credentials request at the real token endpoint with client_secret_basic. */
async function clientCredentials(clientId: string, secret: string) {
  return token({ client: { id: clientId } as TestClient['client'], secret }, { grant_type: 'client_credentials', scope: 'profile' });
}

/** A client_credentials request with client_secret_post. */
async function clientCredentialsPost(clientId: string, secret: string) {
  return answer(
    await tokenEndpoint(formRequest('/oauth/token', { grant_type: 'client_credentials', client_id: clientId, client_secret: secret, scope: 'profile' })),
  );
}

function ecJwk() {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
}

describe('registering a client', () => {
  it('returns the secret once, stores only its hash and records the administrator or API key as the actor', async () => {
    const byAdmin = await create();
    expect(byAdmin.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(byAdmin.client).toMatchObject({ name: 'Billing portal', hasSecret: true, enabled: true, managed: false, previousSecretExpiresAt: null });
    expect(JSON.stringify(byAdmin.client)).not.toContain(byAdmin.secret);
    expect(byAdmin.client).not.toHaveProperty('secretHash');
    const [created] = await events(byAdmin.client.id, 'client.created');
    expect(created).toMatchObject({ actor_user_id: adminId, actor_api_key_id: null, ip: '192.0.2.50' });

    const byKey = await create({}, keyActor);
    const [keyCreated] = await events(byKey.client.id, 'client.created');
    expect(keyCreated).toMatchObject({ actor_user_id: null, actor_api_key_id: apiKeyId, ip: '192.0.2.99' });
    const audit = JSON.stringify(await database.sql('SELECT * FROM audit_events'));
    expect(audit).not.toContain(byAdmin.secret);
    expect(audit).not.toContain(byKey.secret);
  });

  it('refuses a redirect URI or origin with a wildcard, which exact matching would take literally', async () => {
    for (const settings of [
      { redirectUris: ['https://*.example.com/callback'] },
      { redirectUris: ['https://app.example.com/*'] },
      { redirectUris: ['https://%2A.example.com/callback'] },
      { postLogoutRedirectUris: ['https://app.example.com/*'] },
      { corsOrigins: ['https://*.example.com'] },
    ]) {
      const result = await createAdminClient({ ...APP, ...settings }, admin);
      expect(result.ok, JSON.stringify(settings)).toBe(false);
      expect(JSON.stringify(result)).toContain('wildcard');
    }
  });
});

describe('changing a client', () => {
  it('changes every setting and records each change with its before and after value', async () => {
    const { client, secret } = await create();
    const result = await updateAdminClient(
      client.id,
      {
        name: '  Billing portal v2 ',
        tokenEndpointAuthMethod: 'client_secret_post',
        redirectUris: ['https://billing.example.com/cb', 'http://localhost:3000/cb'],
        postLogoutRedirectUris: ['https://billing.example.com/'],
        corsOrigins: ['https://billing.example.com'],
        grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
        scopes: ['openid', 'profile'],
        accessTokenTtl: 600,
        refreshTokenIdleTtl: 3600,
        refreshTokenMaxTtl: 7200,
        requirePkce: false,
        firstParty: true,
      },
      admin,
    );
    if (!result.ok) throw new Error(JSON.stringify(result));
    expect(result.secret).toBeNull(); // still a secret method: the secret is kept
    expect(result.changed).toBe(true);
    expect(result.client).toMatchObject({
      name: 'Billing portal v2',
      tokenEndpointAuthMethod: 'client_secret_post',
      redirectUris: ['https://billing.example.com/cb', 'http://localhost:3000/cb'],
      accessTokenTtl: 600,
      requirePkce: false,
      firstParty: true,
      hasSecret: true,
    });
    expect(await getAdminClient(client.id)).toEqual(result.client);

    const [updated] = await events(client.id, 'client.updated');
    expect(updated).toMatchObject({ actor_user_id: adminId, actor_api_key_id: null, ip: '192.0.2.50' });
    const changes = updated!.details.changes as { field: string; before: unknown; after: unknown }[];
    expect(changes.map((change) => change.field).sort()).toEqual(
      [
        'accessTokenTtl',
        'corsOrigins',
        'firstParty',
        'grantTypes',
        'name',
        'postLogoutRedirectUris',
        'redirectUris',
        'refreshTokenIdleTtl',
        'refreshTokenMaxTtl',
        'requirePkce',
        'scopes',
        'tokenEndpointAuthMethod',
      ].sort(),
    );
    expect(changes).toContainEqual({ field: 'name', before: 'Billing portal', after: 'Billing portal v2' });
    expect(changes).toContainEqual({ field: 'accessTokenTtl', before: 3600, after: 600 });
    expect(changes).toContainEqual({ field: 'requirePkce', before: true, after: false });
    expect(changes).toContainEqual({ field: 'redirectUris', before: [REDIRECT_URI], after: ['https://billing.example.com/cb', 'http://localhost:3000/cb'] });

    // The kept secret authenticates with the new method, at once (the cache was cleared).
    expect((await clientCredentialsPost(client.id, secret!)).status).toBe(200);
    expect((await clientCredentials(client.id, secret!)).status).toBe(401);
  });

  it('keeps what a partial change leaves out, and records nothing when nothing changes', async () => {
    const { client } = await create({ firstParty: true, corsOrigins: ['https://billing.example.com'] });
    const renamed = await updateAdminClient(client.id, { name: 'Renamed' }, keyActor);
    if (!renamed.ok) throw new Error(JSON.stringify(renamed));
    expect(renamed.client).toMatchObject({ name: 'Renamed', firstParty: true, corsOrigins: ['https://billing.example.com'], redirectUris: [REDIRECT_URI] });
    const [event] = await events(client.id, 'client.updated');
    expect(event).toMatchObject({ actor_user_id: null, actor_api_key_id: apiKeyId });
    expect(event!.details.changes).toEqual([{ field: 'name', before: 'Billing portal', after: 'Renamed' }]);

    const same = await updateAdminClient(client.id, { name: 'Renamed', firstParty: true }, admin);
    expect(same).toMatchObject({ ok: true, changed: false, secret: null });
    expect(await events(client.id, 'client.updated')).toHaveLength(1);
  });

  it('deletes the secret when the client stops using one and issues a new one, once, when it starts again', async () => {
    const { client, secret } = await create();
    const toPublic = await updateAdminClient(client.id, { type: 'public', grantTypes: ['authorization_code'] }, admin);
    if (!toPublic.ok) throw new Error(JSON.stringify(toPublic));
    expect(toPublic.client).toMatchObject({ type: 'public', tokenEndpointAuthMethod: 'none', hasSecret: false });
    expect((await storedRow(client.id))!.secret_hash).toBeNull();
    expect((await clientCredentials(client.id, secret!)).status).toBe(401);

    const back = await updateAdminClient(client.id, { type: 'confidential', grantTypes: ['authorization_code', 'client_credentials'] }, admin);
    if (!back.ok) throw new Error(JSON.stringify(back));
    expect(back.client).toMatchObject({ type: 'confidential', tokenEndpointAuthMethod: 'client_secret_basic', hasSecret: true });
    expect(back.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await clientCredentials(client.id, back.secret!)).status).toBe(200);
    expect((await clientCredentials(client.id, secret!)).status).toBe(401);

    const [first, second] = await events(client.id, 'client.updated');
    expect(first!.details.changes).toContainEqual({ field: 'secret', before: REDACTED, after: REDACTED });
    expect(first!.details.changes).toContainEqual({ field: 'type', before: 'confidential', after: 'public' });
    expect(second!.details.changes).toContainEqual({ field: 'secret', before: REDACTED, after: REDACTED });
    const audit = JSON.stringify(await events(client.id));
    expect(audit).not.toContain(secret);
    expect(audit).not.toContain(back.secret);
  });

  it('records a JWKS change as key thumbprints, never the key material', async () => {
    const first = ecJwk();
    const { client } = await create({ tokenEndpointAuthMethod: 'private_key_jwt', jwks: { keys: [first] } });
    expect(client.hasSecret).toBe(false);
    const second = ecJwk();
    const result = await updateAdminClient(client.id, { jwks: { keys: [first, second] } }, admin);
    expect(result).toMatchObject({ ok: true, changed: true, secret: null });
    const [event] = await events(client.id, 'client.updated');
    const change = (event!.details.changes as { field: string; before: string[]; after: string[] }[]).find((c) => c.field === 'jwks')!;
    expect(change.before).toHaveLength(1);
    expect(change.after).toHaveLength(2);
    expect(change.after[0]).toMatch(/^EC [A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(event)).not.toContain(String(second.x));
  });

  const HOSTILE: Array<[string, Record<string, unknown>]> = [
    ['an empty name', { name: '   ' }],
    ['a 101-character name', { name: 'x'.repeat(101) }],
    ['a list as the name', { name: ['Billing'] }],
    ['a string as the redirect URI list', { redirectUris: 'https://app.example.com/cb' }],
    ['a number in the redirect URIs', { redirectUris: [42] }],
    ['a javascript: redirect URI', { redirectUris: ['javascript:alert(document.cookie)'] }],
    ['a data: redirect URI', { redirectUris: ['data:text/html,<script>alert(1)</script>'] }],
    ['a redirect URI with a fragment', { redirectUris: ['https://app.example.com/cb#token'] }],
    ['a wildcard redirect URI', { redirectUris: ['https://*.example.com/cb'] }],
    ['a relative redirect URI', { redirectUris: ['/callback'] }],
    ['plain http off loopback', { redirectUris: ['http://app.example.com/cb'] }],
    ['a 2049-character redirect URI', { redirectUris: [`https://app.example.com/${'a'.repeat(2025)}`] }],
    ['21 redirect URIs', { redirectUris: Array.from({ length: 21 }, (_, i) => `https://app.example.com/cb${i}`) }],
    ['no redirect URI for the code flow', { redirectUris: [] }],
    ['an origin with a path', { corsOrigins: ['https://app.example.com/'] }],
    ['a wildcard origin', { corsOrigins: ['*'] }],
    ['an unknown grant type', { grantTypes: ['password'] }],
    ['an unknown scope', { scopes: ['openid', 'admin'] }],
    ['PKCE off for a public client', { type: 'public', requirePkce: false }],
    ['a 10-second access token', { accessTokenTtl: 10 }],
    ['a string lifetime', { accessTokenTtl: '600' }],
    ['idle longer than the maximum', { refreshTokenIdleTtl: 86_400 * 100, refreshTokenMaxTtl: 86_400 * 50 }],
    ['a private key in the JWKS', { tokenEndpointAuthMethod: 'private_key_jwt', jwks: { keys: [{ ...ecJwk(), d: 'AAAA' }] } }],
    ['enabled through a settings change', { enabled: false }],
    ['a control character in the name', { name: 'Bill\u0000ing' }],
  ];

  it.each(HOSTILE)('refuses %s and writes nothing', async (_label, patch) => {
    const { client } = await create();
    const before = await storedRow(client.id);
    const eventsBefore = await events(client.id);
    const result = await updateAdminClient(client.id, patch, admin);
    expect(result.ok).toBe(false);
    expect(result).toHaveProperty('fieldErrors');
    expect(await storedRow(client.id)).toEqual(before);
    expect(await events(client.id)).toEqual(eventsBefore);
  });

  it('refuses input that is not an object, and ids that name no client', async () => {
    const { client } = await create();
    for (const input of [null, [], 'name', 42]) expect(await updateAdminClient(client.id, input, admin)).toMatchObject({ ok: false, fieldErrors: {} });
    for (const id of ['oc_missing', '', 'x'.repeat(65), "' OR 1=1 --"]) {
      expect(await updateAdminClient(id, { name: 'x' }, admin)).toEqual({ ok: false, error: 'not_found' });
      expect(await setAdminClientEnabled(id, false, admin)).toEqual({ ok: false, error: 'not_found' });
      expect(await rotateAdminClientSecret(id, admin)).toEqual({ ok: false, error: 'not_found' });
      expect(await deleteAdminClient(id, admin)).toEqual({ ok: false, error: 'not_found' });
      expect(await getAdminClient(id)).toBeNull();
    }
  });

  it('leaves the admin console’s own client alone', async () => {
    await ensureConsoleClient();
    expect((await getAdminClient(CONSOLE_CLIENT_ID))?.managed).toBe(true);
    const before = await storedRow(CONSOLE_CLIENT_ID);
    expect(await updateAdminClient(CONSOLE_CLIENT_ID, { name: 'Mine now' }, admin)).toEqual({ ok: false, error: 'managed_client' });
    expect(await setAdminClientEnabled(CONSOLE_CLIENT_ID, false, admin)).toEqual({ ok: false, error: 'managed_client' });
    expect(await rotateAdminClientSecret(CONSOLE_CLIENT_ID, admin)).toEqual({ ok: false, error: 'managed_client' });
    expect(await deleteAdminClient(CONSOLE_CLIENT_ID, admin)).toEqual({ ok: false, error: 'managed_client' });
    expect(await storedRow(CONSOLE_CLIENT_ID)).toEqual(before);
  });
});

describe('disabling and enabling a client', () => {
  it('refuses a disabled client at the authorization and token endpoints and restores it when enabled', async () => {
    const { client, secret } = await create({ grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'] });
    const user = await newUser();
    const testClient: TestClient = { client: { ...client } as unknown as TestClient['client'], secret };
    const tokens = await signIn(testClient, user);
    expect((await userinfo(tokens.access_token)).status).toBe(200);

    const disabled = await setAdminClientEnabled(client.id, false, admin);
    expect(disabled).toMatchObject({ ok: true, changed: true, client: { enabled: false } });
    expectErrorPage(await authorizeGet(authorizeParams({ ...client, tokenEndpointAuthMethod: 'client_secret_basic' } as never)), 'invalid_client');
    const refused = await clientCredentials(client.id, secret!);
    expect(refused.status).toBe(401);
    expect(refused.body.error).toBe('invalid_client');
    expect((await token(testClient, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! })).status).toBe(401);
    expect((await userinfo(tokens.access_token)).status).toBe(401);

    expect(await setAdminClientEnabled(client.id, false, admin)).toMatchObject({ ok: true, changed: false });
    const enabled = await setAdminClientEnabled(client.id, true, keyActor);
    expect(enabled).toMatchObject({ ok: true, changed: true, client: { enabled: true } });
    expect((await clientCredentials(client.id, secret!)).status).toBe(200);
    expect((await userinfo(tokens.access_token)).status).toBe(200);

    const recorded = (await events(client.id)).filter((event) => event.type === 'client.disabled' || event.type === 'client.enabled');
    expect(recorded).toMatchObject([
      { type: 'client.disabled', actor_user_id: adminId, actor_api_key_id: null, details: { name: 'Billing portal' } },
      { type: 'client.enabled', actor_user_id: null, actor_api_key_id: apiKeyId },
    ]);
  });
});

describe('rotating a secret with an overlap', () => {
  async function serviceClient(actor: AdminActor = admin) {
    return create({ grantTypes: ['client_credentials'], redirectUris: [] }, actor);
  }

  it('keeps the old secret working until the overlap ends, and not after', async () => {
    const { client, secret: old } = await serviceClient();
    const before = Date.now();
    const rotated = await rotateAdminClientSecret(client.id, keyActor);
    if (!rotated.ok) throw new Error(JSON.stringify(rotated));
    expect(rotated.secret).not.toBe(old);
    const overlapEnds = Date.parse(rotated.previousSecretExpiresAt!);
    // OPTARE_CLIENT_SECRET_OVERLAP's default: 24 hours.
    expect(overlapEnds).toBeGreaterThanOrEqual(before + 86_400_000);
    expect(overlapEnds).toBeLessThanOrEqual(Date.now() + 86_400_000);
    expect(rotated.client.previousSecretExpiresAt).toBe(rotated.previousSecretExpiresAt);

    expect((await clientCredentials(client.id, old!)).status).toBe(200);
    expect((await clientCredentials(client.id, rotated.secret)).status).toBe(200);
    expect((await clientCredentials(client.id, 'not-the-secret')).status).toBe(401);

    // The overlap ends: its end, as stored, is now in the past.
    await database.sql(`UPDATE oauth_clients SET previous_secret_expires_at = now() - interval '1 second' WHERE id = $1`, [client.id]);
    invalidateClientCache(); // as every process does within CLIENT_CACHE_TTL_MS
    expect((await clientCredentials(client.id, old!)).status).toBe(401);
    expect((await clientCredentials(client.id, rotated.secret)).status).toBe(200);
    expect((await getAdminClient(client.id))!.previousSecretExpiresAt).toBeNull();

    const [event] = await events(client.id, 'client.secret_rotated');
    expect(event).toMatchObject({ actor_user_id: null, actor_api_key_id: apiKeyId, details: { overlapSeconds: 86_400, overlapEndsAt: rotated.previousSecretExpiresAt } });
    const audit = JSON.stringify(await events(client.id));
    expect(audit).not.toContain(old);
    expect(audit).not.toContain(rotated.secret);
  });

  it('stops the old secret at once when asked (a leaked secret), and keeps only the last one in overlap', async () => {
    const { client, secret: first } = await serviceClient();
    const second = await rotateAdminClientSecret(client.id, admin);
    const third = await rotateAdminClientSecret(client.id, admin);
    if (!second.ok || !third.ok) throw new Error('rotation failed');
    expect((await clientCredentials(client.id, first!)).status).toBe(401);
    expect((await clientCredentials(client.id, second.secret)).status).toBe(200);

    const fourth = await rotateAdminClientSecret(client.id, admin, { immediate: true });
    if (!fourth.ok) throw new Error('rotation failed');
    expect(fourth.previousSecretExpiresAt).toBeNull();
    expect((await clientCredentials(client.id, third.secret)).status).toBe(401);
    expect((await clientCredentials(client.id, fourth.secret)).status).toBe(200);
    const row = await storedRow(client.id);
    expect(row!.previous_secret_hash).toBeNull();
    expect(row!.previous_secret_expires_at).toBeNull();
  });

  it('the CLI’s rotation (no overlap) also ends a previous secret’s overlap', async () => {
    const { client, secret: first } = await serviceClient();
    const second = await rotateAdminClientSecret(client.id, admin);
    if (!second.ok) throw new Error('rotation failed');
    const third = await rotateClientSecret(client.id, testContext());
    if (!third.ok) throw new Error('rotation failed');
    expect(third.previousSecretExpiresAt).toBeNull();
    expect((await clientCredentials(client.id, first!)).status).toBe(401);
    expect((await clientCredentials(client.id, second.secret)).status).toBe(401);
    expect((await clientCredentials(client.id, third.secret)).status).toBe(200);
  });

  it('a previous secret stops when the client stops using secrets', async () => {
    const { client, secret: old } = await serviceClient();
    const rotated = await rotateAdminClientSecret(client.id, admin);
    if (!rotated.ok) throw new Error('rotation failed');
    const changed = await updateAdminClient(client.id, { tokenEndpointAuthMethod: 'private_key_jwt', jwks: { keys: [ecJwk()] } }, admin);
    expect(changed).toMatchObject({ ok: true, changed: true });
    const row = await storedRow(client.id);
    expect([row!.secret_hash, row!.previous_secret_hash, row!.previous_secret_expires_at]).toEqual([null, null, null]);
    expect((await clientCredentials(client.id, old!)).status).toBe(401);
    expect(await rotateAdminClientSecret(client.id, admin)).toEqual({ ok: false, error: 'no_secret' });
  });
});

describe('deleting a client', () => {
  it('deletes it with its grants, so its tokens stop working, and records who did', async () => {
    const { client, secret } = await create();
    const user = await newUser();
    const testClient: TestClient = { client: client as unknown as TestClient['client'], secret };
    const tokens = await signIn(testClient, user);
    expect(Number((await database.sql('SELECT count(*) FROM grants WHERE client_id = $1', [client.id]))[0]!.count)).toBe(1);

    expect(await deleteAdminClient(client.id, keyActor)).toEqual({ ok: true });
    expect(await getAdminClient(client.id)).toBeNull();
    expect(Number((await database.sql('SELECT count(*) FROM grants WHERE client_id = $1', [client.id]))[0]!.count)).toBe(0);
    expect((await userinfo(tokens.access_token)).status).toBe(401);
    expect((await clientCredentials(client.id, secret!)).status).toBe(401);
    const [event] = await events(client.id, 'client.deleted');
    expect(event).toMatchObject({ actor_user_id: null, actor_api_key_id: apiKeyId, details: { name: 'Billing portal' } });
    expect(await deleteAdminClient(client.id, keyActor)).toEqual({ ok: false, error: 'not_found' });
  });
});

describe('listing clients', () => {
  it('searches names and ids without case, literally, and pages through every match once', async () => {
    const tag = `Zq${Date.now().toString(36)}`;
    const made: AdminClient[] = [];
    for (const name of [`${tag} Alpha`, `${tag.toLowerCase()} beta`, `${tag.toUpperCase()} Gamma`, `${tag} 100%_done`, `${tag} Delta`]) {
      made.push((await create({ name })).client);
    }
    const all = await listAdminClients({ search: tag.toLowerCase(), limit: 100 });
    if (!all.ok) throw new Error('list failed');
    expect(all.items.map((client) => client.id)).toEqual(made.map((client) => client.id).reverse()); // newest first
    expect(all.nextCursor).toBeNull();

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await listAdminClients({ search: tag, limit: 2, cursor });
      if (!page.ok) throw new Error('page failed');
      seen.push(...page.items.map((client) => client.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(all.items.map((client) => client.id));

    const byId = await listAdminClients({ search: made[2]!.id.slice(3, 15).toUpperCase() });
    expect(byId.ok && byId.items.map((client) => client.id)).toEqual([made[2]!.id]);
    // % and _ are not wildcards.
    const literal = await listAdminClients({ search: `${tag} 100%_` });
    expect(literal.ok && literal.items.map((client) => client.name)).toEqual([`${tag} 100%_done`]);
    const underscore = await listAdminClients({ search: `${tag}_` });
    expect(underscore.ok && underscore.items).toEqual([]);
    const nothing = await listAdminClients({ search: `${tag}%` });
    expect(nothing.ok && nothing.items).toEqual([]);
  });

  it('refuses a cursor it did not give out', async () => {
    for (const cursor of ['nope', 'x'.repeat(300), Buffer.from('["yesterday","oc_x"]').toString('base64url'), Buffer.from('{}').toString('base64url'), '%%%']) {
      expect(await listAdminClients({ cursor })).toEqual({ ok: false, error: 'invalid_cursor' });
    }
  });
});
