import { NextRequest } from 'next/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as passkeyOptions } from '../../app/api/auth/passkey/options/route';
import { useTestConfig } from '../support/config';
import { openTestDatabase, type TestDatabase } from '../support/database';

/**
 * POST /api/auth/passkey/options needs no account and stores a ceremony row per call: one
 * address must not be able to fill the table (ASVS 2.4.1).
 */

const ISSUER = 'https://id.example.com';
let database: TestDatabase;
beforeAll(async () => {
  useTestConfig({ OPTARE_ISSUER: ISSUER, OPTARE_RATE_LIMIT_PASSKEY_OPTIONS: '3/1m' });
  database = await openTestDatabase();
});
afterAll(() => database.close());

const askFrom = (ip: string) =>
  passkeyOptions(
    new NextRequest(`${ISSUER}/api/auth/passkey/options`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: ISSUER, 'x-optare-client-ip': ip },
      body: '{}',
    }),
  );

const ceremonies = async () =>
  Number((await database.sql<{ n: string }>("SELECT count(*) AS n FROM webauthn_challenges WHERE purpose = 'authentication'"))[0]!.n);

describe('passkey sign-in options flood', () => {
  it('answers 429 with Retry-After past the per-address limit, storing no ceremony, audited once; other addresses still get options', async () => {
    const before = await ceremonies();
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await askFrom('198.51.100.20')).status);
    expect(statuses).toEqual([200, 200, 200]);
    expect(await ceremonies()).toBe(before + 3);

    for (let i = 0; i < 3; i++) {
      const refused = await askFrom('198.51.100.20');
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
      expect(refused.headers.get('set-cookie')).toBeNull();
      expect(await refused.json()).toMatchObject({ error: 'rate_limited' });
    }
    expect(await ceremonies()).toBe(before + 3);
    const audited = await database.sql(
      "SELECT 1 FROM audit_events WHERE type = 'security.rate_limited' AND details->>'limit' = 'passkeyOptionsIp'",
    );
    expect(audited).toHaveLength(1);

    const other = await askFrom('198.51.100.21');
    expect(other.status).toBe(200);
    expect(await ceremonies()).toBe(before + 4);
  });
});
