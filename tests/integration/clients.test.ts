import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { sha256 } from '../../lib/crypto/hash';
import { clientCreate } from '../../lib/cli/commands/client-create';
import { clientDelete } from '../../lib/cli/commands/client-delete';
import { clientList } from '../../lib/cli/commands/client-list';
import { clientRotateSecret } from '../../lib/cli/commands/client-rotate-secret';
import { UsageError, type Command, type OptionValues } from '../../lib/cli/command';
import { CLIENT_CACHE_TTL_MS } from '../../lib/oauth/clients/cache';
import { createClient, deleteClient, findEnabledClient, listClients, rotateClientSecret } from '../../lib/oauth/clients/registration';
import { openTestDatabase, type TestDatabase } from '../support/database';
import { useTestConfig } from '../support/config';
import { testContext } from '../support/context';

let database: TestDatabase;
beforeAll(async () => {
  useTestConfig();
  database = await openTestDatabase();
});
afterAll(() => database.close());
afterEach(() => {
  vi.useRealTimers();
});

const good = { name: 'Web app', redirectUris: ['https://app.example.com/callback'] };

async function row(id: string) {
  const [found] = await database.sql<{ secret_hash: Buffer | null } & Record<string, unknown>>('SELECT * FROM oauth_clients WHERE id = $1', [id]);
  return found;
}

async function events(subject: string) {
  return database.sql<{ type: string; outcome: string; details: Record<string, unknown> }>(
    'SELECT type, outcome, details FROM audit_events WHERE subject = $1 ORDER BY seq',
    [subject],
  );
}

describe('createClient', () => {
  it('stores only the SHA-256 of a 256-bit secret and returns the secret once', async () => {
    const result = await createClient(good, testContext());
    if (!result.ok) throw new Error(JSON.stringify(result.fieldErrors));
    const { client, secret } = result;
    expect(client.id).toMatch(/^oc_[A-Za-z0-9_-]{22}$/);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const stored = await row(client.id);
    expect(Buffer.from(stored!.secret_hash!)).toEqual(Buffer.from(sha256(secret!)));
    const everything = JSON.stringify(await database.sql('SELECT * FROM oauth_clients')) + JSON.stringify(await database.sql('SELECT * FROM audit_events'));
    expect(everything).not.toContain(secret);
    expect(client).not.toHaveProperty('secretHash');
    expect(client).toMatchObject({ type: 'confidential', tokenEndpointAuthMethod: 'client_secret_basic', enabled: true, requirePkce: true });
  });

  it('gives every client a different id and secret', async () => {
    const results = await Promise.all([1, 2, 3].map(() => createClient(good, testContext())));
    const ids = new Set(results.map((r) => (r.ok ? r.client.id : null)));
    const secrets = new Set(results.map((r) => (r.ok ? r.secret : null)));
    expect(ids.size).toBe(3);
    expect(secrets.size).toBe(3);
  });

  it('issues no secret to public clients or private_key_jwt clients', async () => {
    const pub = await createClient({ ...good, type: 'public' }, testContext());
    expect(pub).toMatchObject({ ok: true, secret: null, client: { tokenEndpointAuthMethod: 'none' } });
    const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
    const signed = await createClient({ ...good, tokenEndpointAuthMethod: 'private_key_jwt', jwks: { keys: [jwk] } }, testContext());
    expect(signed).toMatchObject({ ok: true, secret: null, client: { jwks: { keys: [{ kty: 'EC', crv: 'P-256' }] } } });
    for (const result of [pub, signed]) if (result.ok) expect((await row(result.client.id))!.secret_hash).toBeNull();
  });

  it('records client.created, with no secret in it', async () => {
    const result = await createClient(good, { ...testContext(), userId: null });
    if (!result.ok) throw new Error('create failed');
    expect(await events(result.client.id)).toEqual([
      {
        type: 'client.created',
        outcome: 'success',
        details: { name: 'Web app', type: 'confidential', authMethod: 'client_secret_basic', grantTypes: ['authorization_code', 'refresh_token'], firstParty: false },
      },
    ]);
  });

  it('returns field errors and writes nothing for invalid settings', async () => {
    const [before] = await database.sql<{ n: string }>('SELECT count(*) AS n FROM oauth_clients');
    const result = await createClient({ name: '', redirectUris: ['http://evil.example/cb'] }, testContext());
    expect(result.ok).toBe(false);
    if (!result.ok) expect(Object.keys(result.fieldErrors)).toContain('name');
    const invalidUri = await createClient({ ...good, redirectUris: ['https://app.example.com/cb#x'] }, testContext());
    expect(invalidUri).toEqual({ ok: false, fieldErrors: { redirectUris: ['Redirect URI 1 must not contain a fragment (#).'] } });
    const [after] = await database.sql<{ n: string }>('SELECT count(*) AS n FROM oauth_clients');
    expect(after!.n).toBe(before!.n);
  });

  it('refuses a JWK that is well-formed but not a key (server-side check)', async () => {
    const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
    const broken = { ...jwk, x: jwk.y!.slice(0, 20) + jwk.x!.slice(20) };
    const result = await createClient({ ...good, tokenEndpointAuthMethod: 'private_key_jwt', jwks: { keys: [broken] } }, testContext());
    expect(result).toEqual({ ok: false, fieldErrors: { jwks: ['JWKS key 1 is not a valid public key.'] } });
  });
});

describe('findEnabledClient, listClients, deleteClient, rotateClientSecret', () => {
  it('finds enabled clients only, and nothing for unknown or absurd ids', async () => {
    const result = await createClient(good, testContext());
    if (!result.ok) throw new Error('create failed');
    expect(await findEnabledClient(result.client.id)).toEqual(result.client);
    expect(await findEnabledClient('oc_nope')).toBeNull();
    expect(await findEnabledClient('x'.repeat(500))).toBeNull();
    expect(await findEnabledClient('')).toBeNull();
    const disabled = await createClient({ ...good, enabled: false }, testContext());
    if (!disabled.ok) throw new Error('create failed');
    expect(await findEnabledClient(disabled.client.id)).toBeNull();
  });

  it('returns a frozen record, so one caller cannot change what the next one sees', async () => {
    const result = await createClient(good, testContext());
    if (!result.ok) throw new Error('create failed');
    const found = (await findEnabledClient(result.client.id))!;
    expect(() => found.redirectUris.push('https://evil.example/cb')).toThrow(TypeError);
    expect((await findEnabledClient(result.client.id))!.redirectUris).toEqual(good.redirectUris);
  });

  it('sees a change made by another process within the cache lifetime', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const result = await createClient(good, testContext());
    if (!result.ok) throw new Error('create failed');
    expect(await findEnabledClient(result.client.id)).not.toBeNull();
    await database.sql('UPDATE oauth_clients SET enabled = false WHERE id = $1', [result.client.id]);
    vi.setSystemTime(Date.now() + CLIENT_CACHE_TTL_MS + 1);
    expect(await findEnabledClient(result.client.id)).toBeNull();
  });

  it('lists clients oldest first, without secrets', async () => {
    const listed = await listClients();
    expect(listed.length).toBeGreaterThan(3);
    expect(JSON.stringify(listed)).not.toMatch(/secret_?hash/i);
  });

  it('deletes a client (then it is gone, also from the cache) and records client.deleted', async () => {
    const result = await createClient(good, testContext());
    if (!result.ok) throw new Error('create failed');
    await findEnabledClient(result.client.id);
    expect(await deleteClient(result.client.id, testContext())).toBe(true);
    expect(await findEnabledClient(result.client.id)).toBeNull();
    expect(await deleteClient(result.client.id, testContext())).toBe(false);
    expect((await events(result.client.id)).map((e) => e.type)).toEqual(['client.created', 'client.deleted']);
  });

  it('rotates a secret: new hash stored, client.secret_rotated recorded; refuses clients without a secret', async () => {
    const result = await createClient(good, testContext());
    if (!result.ok) throw new Error('create failed');
    const rotated = await rotateClientSecret(result.client.id, testContext());
    if (!rotated.ok) throw new Error(rotated.error);
    expect(Buffer.from((await row(result.client.id))!.secret_hash!)).toEqual(Buffer.from(sha256(rotated.secret)));
    expect((await events(result.client.id)).map((e) => e.type)).toEqual(['client.created', 'client.secret_rotated']);
    expect(await rotateClientSecret('oc_missing')).toEqual({ ok: false, error: 'not_found' });
    const pub = await createClient({ ...good, type: 'public' }, testContext());
    if (!pub.ok) throw new Error('create failed');
    expect(await rotateClientSecret(pub.client.id)).toEqual({ ok: false, error: 'no_secret' });
  });
});

/** Runs a command as main() would, minus argument parsing and the database connection. */
async function runCommand(command: Command<unknown>, values: Record<string, unknown>) {
  return command.run(await command.parseInput(values as OptionValues));
}

describe('CLI commands', () => {
  it('client create / list / rotate-secret / delete', async () => {
    const created = await runCommand(clientCreate as Command<unknown>, {
      name: 'CLI app',
      'redirect-uri': ['https://cli.example/cb', 'http://127.0.0.1:8080/cb'],
      'post-logout-uri': ['https://cli.example/bye'],
      'cors-origin': ['https://cli.example'],
      grant: ['authorization_code', 'refresh_token', 'client_credentials'],
      scope: ['openid profile', 'email'],
      'first-party': true,
      'access-token-ttl': '600',
      'no-require-pkce': true,
    });
    if (!created.ok) throw new Error(created.message);
    const { clientId, clientSecret, client } = created.json as { clientId: string; clientSecret: string; client: Record<string, unknown> };
    expect(client).toMatchObject({
      name: 'CLI app',
      redirectUris: ['https://cli.example/cb', 'http://127.0.0.1:8080/cb'],
      postLogoutRedirectUris: ['https://cli.example/bye'],
      corsOrigins: ['https://cli.example'],
      grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
      scopes: ['openid', 'profile', 'email'],
      firstParty: true,
      accessTokenTtl: 600,
      requirePkce: false,
    });
    expect(created.text).toContain(clientSecret);
    expect(Buffer.from((await row(clientId))!.secret_hash!)).toEqual(Buffer.from(sha256(clientSecret)));

    const listed = await runCommand(clientList as Command<unknown>, {});
    expect(listed.ok && listed.text).toContain(clientId);
    expect(JSON.stringify(listed.json)).not.toContain(clientSecret);

    const rotated = await runCommand(clientRotateSecret as Command<unknown>, { id: clientId });
    expect(rotated).toMatchObject({ ok: true, json: { ok: true, clientId, clientSecret: expect.stringMatching(/^[\w-]{43}$/) } });

    expect(await runCommand(clientDelete as Command<unknown>, { id: clientId })).toMatchObject({ ok: true });
    expect(await runCommand(clientDelete as Command<unknown>, { id: clientId })).toMatchObject({
      ok: false,
      json: { error: 'not_found' },
      message: `no client has the id ${clientId}`,
    });
  });

  it('client create --public prints no secret', async () => {
    const created = await runCommand(clientCreate as Command<unknown>, { name: 'SPA', 'redirect-uri': ['https://spa.example/cb'], public: true });
    expect(created.ok).toBe(true);
    expect(created.json).not.toHaveProperty('clientSecret');
    expect(created.ok && created.text).not.toMatch(/client_secret/);
  });

  it('client create reports every field problem', async () => {
    const result = await runCommand(clientCreate as Command<unknown>, {
      name: 'Bad',
      'redirect-uri': ['http://bad.example/cb'],
      public: true,
      grant: ['client_credentials'],
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.message).toMatch(/^invalid client settings: /);
    expect(result.message).toMatch(/Redirect URI 1 must use https/);
    expect(result.message).toMatch(/public client cannot use client_credentials/);
    expect(result.json).toMatchObject({ ok: false, error: 'invalid_input', fieldErrors: { redirectUris: expect.any(Array) } });
  });

  it('client create reads --jwks-file for private_key_jwt, and refuses bad files as usage errors', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'optare-jwks-'));
    try {
      const file = path.join(dir, 'jwks.json');
      const jwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' });
      fs.writeFileSync(file, JSON.stringify({ keys: [jwk] }));
      const created = await runCommand(clientCreate as Command<unknown>, {
        name: 'Signed',
        'redirect-uri': ['https://signed.example/cb'],
        'auth-method': 'private_key_jwt',
        'jwks-file': file,
      });
      expect(created).toMatchObject({ ok: true, json: { client: { tokenEndpointAuthMethod: 'private_key_jwt' } } });
      expect(created.json).not.toHaveProperty('clientSecret');
      fs.writeFileSync(file, '{not json');
      expect(() => clientCreate.parseInput({ name: 'x', 'jwks-file': file } as OptionValues)).toThrow(UsageError);
      expect(() => clientCreate.parseInput({ name: 'x', 'jwks-file': path.join(dir, 'missing') } as OptionValues)).toThrow(UsageError);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a non-numeric lifetime and a missing name as usage errors', async () => {
    expect(() => clientCreate.parseInput({ name: 'x', 'access-token-ttl': '1h' } as OptionValues)).toThrow(UsageError);
    expect(() => clientCreate.parseInput({} as OptionValues)).toThrow(UsageError);
  });
});
