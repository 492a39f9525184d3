import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invalidateClientCache } from '../../lib/oauth/clients/cache';
import { pendingRequestClientName, PENDING_REQUEST_TTL_SECONDS } from '../../lib/oauth/authorize/pending';
import type { TestDatabase } from '../support/database';
import { authorizeGet, authorizeParams, expectHandle, newClient, openAuthorizeTestDatabase } from './authorize-support';

let database: TestDatabase;
beforeAll(async () => {
  database = await openAuthorizeTestDatabase();
});
afterAll(() => database.close());

describe('pendingRequestClientName (the sign-in and sign-up pages name the app)', () => {
  it('names the client of a live pending request', async () => {
    const client = await newClient({ name: 'Photo <b>Album</b>' });
    const handle = expectHandle(await authorizeGet(authorizeParams(client)), '/sign-in');
    expect(await pendingRequestClientName(handle, new Date())).toBe('Photo <b>Album</b>');
  });

  it('is null for a malformed, unknown or expired handle', async () => {
    const client = await newClient();
    const handle = expectHandle(await authorizeGet(authorizeParams(client)), '/sign-in');
    const later = new Date(Date.now() + (PENDING_REQUEST_TTL_SECONDS + 1) * 1000);
    expect(await pendingRequestClientName(handle, later)).toBeNull();
    expect(await pendingRequestClientName('not-a-handle', new Date())).toBeNull();
    expect(await pendingRequestClientName('A'.repeat(43), new Date())).toBeNull();
    expect(await pendingRequestClientName(undefined, new Date())).toBeNull();
  });

  it('is null once the client is disabled', async () => {
    const client = await newClient();
    const handle = expectHandle(await authorizeGet(authorizeParams(client)), '/sign-in');
    await database.sql('UPDATE oauth_clients SET enabled = false WHERE id = $1', [client.id]);
    invalidateClientCache();
    expect(await pendingRequestClientName(handle, new Date())).toBeNull();
  });
});
