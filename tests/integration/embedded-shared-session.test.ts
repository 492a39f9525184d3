import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, disconnectDatabase } from '../../lib/db/client';
import { findAuthorizationCode, findRefreshToken, isAccessTokenDenied } from '../../lib/db/grants';
import { openTestDatabase, type TestDatabase } from '../support/database';

/**
 * The embedded database serves every connection of Optare's pool (10 by default) from one PGlite
 * session, so session state such as named prepared statements is shared between them: a second
 * connection preparing a name the first already prepared fails ("prepared statement already
 * exists"), which turned concurrent token exchanges into 500s. The protocol paths' SQL must work
 * from many connections at once, on PGlite as on PostgreSQL.
 */

let database: TestDatabase;
beforeAll(async () => {
  database = await openTestDatabase();
  // Reconnect with a pool of several connections, as the server runs (the test default is one).
  await disconnectDatabase();
  connectDatabase(database.url, 4);
});
afterAll(() => database.close());

describe('the protocol look-ups from many pool connections at once', () => {
  it('answers every concurrent code, refresh-token and denylist look-up without a statement clash', async () => {
    const lookups = Array.from({ length: 12 }, (_, i) => {
      const hash = new Uint8Array(randomBytes(32));
      if (i % 3 === 0) return findAuthorizationCode(hash);
      if (i % 3 === 1) return findRefreshToken(hash);
      return isAccessTokenDenied(randomUUID(), 'no-such-client', null);
    });
    const results = await Promise.allSettled(lookups);
    expect(results.filter((result) => result.status === 'rejected').map((result) => String((result as PromiseRejectedResult).reason))).toEqual([]);
    expect(results.every((result) => result.status === 'fulfilled')).toBe(true);
  });
});
