import { NextRequest } from 'next/server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { POST as updateProfile } from '../../app/api/account/profile/route';
import { GET as listUsers } from '../../app/api/admin/v1/users/route';
import { POST as tokenRoute } from '../../app/oauth/token/route';
import { forgetRecordedRefusals, settleRefusalAudits } from '../../lib/audit/refusals';
import { useTestConfig } from '../support/config';
import { openTestDatabase, type TestDatabase } from '../support/database';
import { accountPost, accountUser, signedIn } from './account-support';
import { ADMIN_ISSUER, callApi, consoleActor, keyWith, newAdmin } from './admin-api-keys-support';

/**
 * Input refused as invalid by the account and admin APIs is audited (ASVS 16.3.3) as
 * `security.invalid_input`, at most once a minute per reason, path and address
 * (lib/audit/invalid-input.ts, through lib/audit/refusals.ts); OAuth protocol errors are not.
 */

let database: TestDatabase;
beforeAll(async () => {
  useTestConfig({ OPTARE_ISSUER: ADMIN_ISSUER });
  database = await openTestDatabase();
});
afterAll(() => database.close());
beforeEach(() => forgetRecordedRefusals());

async function invalidInputEvents(subject: string) {
  await settleRefusalAudits();
  return database.sql<{ subject: string | null; ip: string | null; outcome: string; actor_user_id: string | null; details: Record<string, unknown> }>(
    "SELECT subject, ip, outcome, actor_user_id, details FROM audit_events WHERE type = 'security.invalid_input' AND subject = $1 ORDER BY seq",
    [subject],
  );
}

describe('invalid input probing the account API', () => {
  it('is audited once a minute per reason, path and address, with the error code and never the input itself', async () => {
    const user = await accountUser();
    const { token } = await signedIn(user.id);
    const ip = { 'x-optare-client-ip': '198.51.100.77' };
    const before = (await invalidInputEvents('/api/account/profile')).length;
    const probe = 'x'.repeat(500) + 'hunter2-probe';
    for (let i = 0; i < 3; i++) {
      expect((await updateProfile(accountPost('/api/account/profile', JSON.stringify({ name: probe }), token, ip))).status).toBe(400);
      expect((await updateProfile(accountPost('/api/account/profile', '{"name":', token, ip))).status).toBe(400);
      expect((await updateProfile(accountPost('/api/account/profile', JSON.stringify({ name: 'A' }), token, ip))).status).toBe(200);
    }
    const recorded = (await invalidInputEvents('/api/account/profile')).slice(before);
    // Both refusals are invalid_request: a flood of them is one event a minute.
    expect(recorded).toEqual([
      { subject: '/api/account/profile', ip: '198.51.100.77', outcome: 'failure', actor_user_id: null, details: { reason: 'invalid_request', status: 400, method: 'POST' } },
    ]);
    expect(JSON.stringify(recorded)).not.toContain('hunter2-probe');

    // From another address, or in the next minute: recorded again.
    await updateProfile(accountPost('/api/account/profile', '[]', token, { 'x-optare-client-ip': '198.51.100.78' }));
    // Refusals are audited in the background; two in flight at once may take either order in the chain.
    await settleRefusalAudits();
    forgetRecordedRefusals();
    await updateProfile(accountPost('/api/account/profile', '[]', token, ip));
    expect((await invalidInputEvents('/api/account/profile')).slice(before).map((event) => event.ip)).toEqual(['198.51.100.77', '198.51.100.78', '198.51.100.77']);
  });

  it('is audited for an unsupported media type (415) too', async () => {
    const user = await accountUser();
    const { token } = await signedIn(user.id);
    const before = (await invalidInputEvents('/api/account/profile')).length;
    const response = await updateProfile(accountPost('/api/account/profile', 'name=x', token, { 'content-type': 'text/plain', 'x-optare-client-ip': '198.51.100.79' }));
    expect(response.status).toBe(415);
    expect((await invalidInputEvents('/api/account/profile')).slice(before)).toMatchObject([{ details: { reason: 'unsupported_media_type', status: 415 } }]);
  });
});

describe('invalid input probing the admin API', () => {
  it('is audited with the path and the error code, once a minute', async () => {
    const admin = await newAdmin();
    const { key } = await keyWith(['users:read'], consoleActor(admin.id));
    const before = (await invalidInputEvents('/api/admin/v1/users')).length;
    for (let i = 0; i < 4; i++) expect((await callApi(listUsers, 'GET', '/users?limit=-5&limit=7', { key })).status).toBe(400);
    expect((await callApi(listUsers, 'GET', '/users', { key })).status).toBe(200);
    const recorded = (await invalidInputEvents('/api/admin/v1/users')).slice(before);
    expect(recorded).toEqual([
      { subject: '/api/admin/v1/users', ip: '192.0.2.99', outcome: 'failure', actor_user_id: null, details: { reason: 'invalid_request', status: 400, method: 'GET' } },
    ]);
  });
});

describe('OAuth protocol errors', () => {
  it('are ordinary client behaviour answered per RFC 6749, not audited as invalid input', async () => {
    const response = await tokenRoute(
      new NextRequest(`${ADMIN_ISSUER}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-optare-client-ip': '198.51.100.80' },
        body: 'grant_type=nonsense',
      }),
    );
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    await settleRefusalAudits();
    const rows = await database.sql("SELECT count(*)::int AS n FROM audit_events WHERE type = 'security.invalid_input' AND ip = '198.51.100.80'");
    expect(rows).toEqual([{ n: 0 }]);
  });
});
