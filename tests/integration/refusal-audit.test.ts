import { NextRequest } from 'next/server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GET as listUsers } from '../../app/api/admin/v1/users/route';
import { POST as updateProfile } from '../../app/api/account/profile/route';
import { POST as signOut } from '../../app/sign-out/route';
import { forgetRecordedRefusals, settleRefusalAudits } from '../../lib/audit/refusals';
import { useTestConfig } from '../support/config';
import { openTestDatabase, type TestDatabase } from '../support/database';
import { ADMIN_ISSUER, callApi, consoleActor, keyWith, newAdmin } from './admin-api-keys-support';

/**
 * Refused requests leave a trace (ASVS 16.3.2, 16.3.3), without letting whoever sends them
 * flood the audit log: refused admin API keys, account API calls without a session and
 * cross-site writes are audited at most once a minute per reason, subject and IP address
 * (lib/audit/refusals.ts).
 */

let database: TestDatabase;
beforeAll(async () => {
  useTestConfig({ OPTARE_ISSUER: ADMIN_ISSUER });
  database = await openTestDatabase();
});
afterAll(() => database.close());
beforeEach(() => forgetRecordedRefusals());

async function events(type: string) {
  await settleRefusalAudits();
  return database.sql<{ subject: string | null; ip: string | null; outcome: string; details: Record<string, unknown> }>(
    'SELECT subject, ip, outcome, details FROM audit_events WHERE type = $1 ORDER BY seq',
    [type],
  );
}

describe('refused admin API keys', () => {
  it('audits each refusal reason once a minute per key prefix and address, never the secret part of the key', async () => {
    const before = (await events('api_key.refused')).length;
    const unknownKey = `opk_0badc0de_${'A'.repeat(43)}`;
    for (let i = 0; i < 5; i++) {
      expect((await callApi(listUsers, 'GET', '/users')).status).toBe(401);
      expect((await callApi(listUsers, 'GET', '/users', { key: unknownKey })).status).toBe(401);
      expect((await callApi(listUsers, 'GET', '/users', { headers: { authorization: 'Basic x' } })).status).toBe(401);
    }
    const recorded = (await events('api_key.refused')).slice(before);
    expect(recorded.map((event) => [event.details.reason, event.subject]).sort()).toEqual([
      ['malformed', null],
      ['missing', null],
      ['unknown', 'opk_0badc0de'],
    ]);
    expect(recorded.every((event) => event.outcome === 'failure' && event.ip === '192.0.2.99')).toBe(true);
    expect(JSON.stringify(recorded)).not.toContain('A'.repeat(43));
  });

  it('audits a key lacking the scope (403 insufficient_scope) with its prefix and the scope it lacked', async () => {
    const admin = await newAdmin();
    const { key, prefix } = await keyWith(['clients:read'], consoleActor(admin.id));
    const before = (await events('api_key.refused')).length;
    for (let i = 0; i < 3; i++) expect((await callApi(listUsers, 'GET', '/users', { key })).status).toBe(403);
    const recorded = (await events('api_key.refused')).slice(before);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ subject: prefix, details: { reason: 'insufficient_scope', scope: 'users:read' } });
  });

  it('records the same refusal again in the next minute', async () => {
    const before = (await events('api_key.refused')).length;
    await callApi(listUsers, 'GET', '/users');
    forgetRecordedRefusals(); // as a new minute starts
    await callApi(listUsers, 'GET', '/users');
    expect((await events('api_key.refused')).length - before).toBe(2);
  });
});

describe('account API calls without a session', () => {
  it('answer 401 and are audited once a minute per path and address', async () => {
    const call = (cookie?: string) =>
      updateProfile(
        new NextRequest(`${ADMIN_ISSUER}/api/account/profile`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin: ADMIN_ISSUER, 'x-optare-client-ip': '198.51.100.66', ...(cookie ? { cookie } : {}) },
          body: JSON.stringify({ name: 'Mallory' }),
        }),
      );
    const before = (await events('account.access_denied')).length;
    expect((await call()).status).toBe(401);
    expect((await call('__Host-optare_session=not-a-session')).status).toBe(401);
    const recorded = (await events('account.access_denied')).slice(before);
    expect(recorded).toEqual([{ subject: '/api/account/profile', ip: '198.51.100.66', outcome: 'failure', details: { reason: 'not_signed_in' } }]);
  });
});

describe('cross-site writes', () => {
  it('are refused 403 and audited with the path, method and origin, once a minute per path and address', async () => {
    const before = (await events('security.cross_site_refused')).length;
    for (let i = 0; i < 3; i++) {
      const response = await signOut(
        new NextRequest(`${ADMIN_ISSUER}/sign-out`, {
          method: 'POST',
          headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site', 'x-optare-client-ip': '203.0.113.66' },
        }),
      );
      expect(response.status).toBe(403);
    }
    const recorded = (await events('security.cross_site_refused')).slice(before);
    expect(recorded).toEqual([
      {
        subject: '/sign-out',
        ip: '203.0.113.66',
        outcome: 'failure',
        details: { reason: 'cross_site_request', method: 'POST', origin: 'https://evil.example', site: 'cross-site' },
      },
    ]);
  });
});
