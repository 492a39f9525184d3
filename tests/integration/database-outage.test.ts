import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, disconnectDatabase } from '../../lib/db/client';
import { invalidateClientCache } from '../../lib/oauth/clients/cache';
import type { TestDatabase } from '../support/database';
import { newClient, newUser, openOAuthTestDatabase, signIn, token, userinfo } from './token-endpoint.helpers';

/**
 * While the database cannot be reached, the protocol endpoints answer 503
 * temporarily_unavailable with Retry-After (never a 500), and they work again, by themselves,
 * once it is back.
 */

let database: TestDatabase;
beforeAll(async () => {
  database = await openOAuthTestDatabase();
});
afterAll(() => database.close());

async function withDatabaseDown<T>(run: () => Promise<T>): Promise<T> {
  await disconnectDatabase();
  connectDatabase('postgresql://optare@127.0.0.1:1/unreachable', 1);
  invalidateClientCache();
  try {
    return await run();
  } finally {
    await disconnectDatabase();
    connectDatabase(database.url, 1);
  }
}

describe('a database outage', () => {
  it('gives 503 temporarily_unavailable with Retry-After at the token and userinfo endpoints, then recovers', async () => {
    const app = await newClient();
    const user = await newUser();
    const tokens = await signIn(app, user);
    const [tokenAnswer, userinfoAnswer] = await withDatabaseDown(async () => [
      await token(app, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! }),
      await userinfo(tokens.access_token),
    ]);
    for (const answer of [tokenAnswer, userinfoAnswer]) {
      expect(answer.status).toBe(503);
      expect(answer.body).toMatchObject({ error: 'temporarily_unavailable' });
      expect(answer.headers.get('retry-after')).toBe('5');
      expect(JSON.stringify(answer.body)).not.toMatch(/127\.0\.0\.1|unreachable|P1001/);
    }
    // Back: the same refresh token still works (the failed attempt wrote nothing).
    const after = await token(app, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! });
    expect(after.status).toBe(200);
    expect((await userinfo(after.body.access_token)).status).toBe(200);
  });
});
