import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { countTokenIssued, flushTokenIssuanceCounts, pendingTokenCounts, stopTokenIssuanceFlush } from '../../lib/metrics/token-issuance';
import { readTokenIssuanceCounts, topClientsByTokens } from '../../lib/db/token-counts';
import type { TestDatabase } from '../support/database';
import { newClient, openOAuthTestDatabase, token } from './token-endpoint.helpers';

/**
 * Tokens issued per client (lib/metrics/token-issuance.ts): counted in memory on the token
 * endpoint's path, written per day and client by the flush (count = count + n), never per token.
 */

let database: TestDatabase;
beforeAll(async () => {
  database = await openOAuthTestDatabase();
});
afterAll(async () => {
  stopTokenIssuanceFlush();
  await database.close();
});
afterEach(async () => {
  await flushTokenIssuanceCounts();
  await database.sql('DELETE FROM token_issuance_counts');
});

const DAY_1 = Date.parse('2026-11-29T23:59:59.000Z');
const DAY_2 = Date.parse('2026-11-30T00:00:00.000Z');

describe('token issuance counts', () => {
  it('adds up per UTC day and client in memory, and a flush writes exactly those counts', async () => {
    for (let i = 0; i < 3; i++) countTokenIssued('client-a', DAY_1);
    countTokenIssued('client-b', DAY_1);
    countTokenIssued('client-a', DAY_2);
    countTokenIssued('client-a', DAY_2);
    expect(pendingTokenCounts()).toEqual([
      { day: '2026-11-29', clientId: 'client-a', count: 3 },
      { day: '2026-11-29', clientId: 'client-b', count: 1 },
      { day: '2026-11-30', clientId: 'client-a', count: 2 },
    ]);
    expect(await readTokenIssuanceCounts('2026-11-01')).toEqual([]); // nothing written per token

    await flushTokenIssuanceCounts();
    expect(pendingTokenCounts()).toEqual([]);
    expect(await readTokenIssuanceCounts('2026-11-01')).toEqual([
      { day: '2026-11-29', clientId: 'client-a', count: 3 },
      { day: '2026-11-29', clientId: 'client-b', count: 1 },
      { day: '2026-11-30', clientId: 'client-a', count: 2 },
    ]);

    // The next flush adds to the stored counts (as another instance's flush would).
    countTokenIssued('client-a', DAY_2);
    await flushTokenIssuanceCounts();
    await flushTokenIssuanceCounts(); // nothing pending: writes nothing
    expect(await readTokenIssuanceCounts('2026-11-30')).toEqual([{ day: '2026-11-30', clientId: 'client-a', count: 3 }]);
  });

  it('counts each token the token endpoint issues, and only those', async () => {
    const service = await newClient({ grantTypes: ['client_credentials'], redirectUris: [], scopes: ['profile'] });
    for (let i = 0; i < 4; i++) expect((await token(service, { grant_type: 'client_credentials', scope: 'profile' })).status).toBe(200);
    expect((await token(service, { grant_type: 'client_credentials', scope: 'admin' })).status).toBe(400); // refused: not counted
    expect(pendingTokenCounts()).toEqual([{ day: new Date().toISOString().slice(0, 10), clientId: service.client.id, count: 4 }]);

    await flushTokenIssuanceCounts();
    const since = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    expect(await topClientsByTokens(since, 10)).toEqual([{ clientId: service.client.id, name: 'Test app', count: 4 }]);
  });

  it('ranks the busiest clients first, at most the limit, naming deleted clients by id only', async () => {
    for (let client = 1; client <= 12; client++) {
      for (let i = 0; i < client; i++) countTokenIssued(`gone-${String(client).padStart(2, '0')}`, DAY_2);
    }
    await flushTokenIssuanceCounts();
    const top = await topClientsByTokens('2026-11-30', 10);
    expect(top).toHaveLength(10);
    expect(top.map((row) => row.count)).toEqual([12, 11, 10, 9, 8, 7, 6, 5, 4, 3]);
    expect(top[0]).toEqual({ clientId: 'gone-12', name: null, count: 12 });
    expect(await topClientsByTokens('2026-12-01', 10)).toEqual([]);
  });
});
