import { createHash } from 'node:crypto';
import { NextRequest } from 'next/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DELETE as apiUserRoute } from '../../app/api/admin/v1/users/[userId]/route';
import { GET as apiExportRoute } from '../../app/api/admin/v1/users/[userId]/export/route';
import { POST as consoleDeleteRoute } from '../../app/api/admin/console/users/[userId]/delete/route';
import { GET as consoleExportRoute } from '../../app/api/admin/console/users/[userId]/export/route';
import { POST as accountDeleteRoute } from '../../app/api/account/delete/route';
import { GET as accountExportRoute } from '../../app/api/account/export/route';
import { auditContentHash } from '../../lib/audit/canonical';
import { chainHash } from '../../lib/audit/chain';
import { recordAuditEvent } from '../../lib/audit/record';
import { verifyAuditChain } from '../../lib/audit/verify';
import { sessionCookie } from '../../lib/auth/sessions';
import { trustBrowser } from '../../lib/auth/trusted-devices';
import { getConfig } from '../../lib/config';
import { pseudonymOf } from '../../lib/crypto/pseudonym';
import { addConsentScopes } from '../../lib/db/consents';
import { savePendingTotpFactor } from '../../lib/db/totp-factors';
import { insertPasskey } from '../../lib/db/webauthn';
import { ensureSigningKey, forgetCachedSigningKeys } from '../../lib/oauth/keys/signing-keys';
import { useTestConfig as installTestConfig } from '../support/config';
import { testContext } from '../support/context';
import { openTestDatabase, type TestDatabase } from '../support/database';
import { accountPost, HOSTILE_BODIES, signedIn } from './account-support';
import { BAD_USER_IDS, callApi, callConsole, consoleSignIn, expectJson, expectRefused, newAccount, newAdmin, newApiKey } from './admin-users-support';
import { introspect, ISSUER, newClient, refresh, signIn, userinfo, type TestClient } from './token-endpoint.helpers';

/**
 * Privacy self-service (lib/privacy): the data export, account deletion by the owner and by an
 * administrator, and the pseudonymisation of a deleted user's audit events, which must keep the
 * hash chain verifiable while making the personal data unrecoverable.
 */

const EXPORT_LIMIT = 3;
const ADMIN_IP = '192.0.2.50';
const USER_IP = '198.51.100.20';
const USER_AGENT = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0';
const MULTI_FACTOR = ['pwd', 'otp', 'mfa'];

let database: TestDatabase;
let app: TestClient;
beforeAll(async () => {
  installTestConfig({ OPTARE_ISSUER: ISSUER, OPTARE_RATE_LIMIT_DATA_EXPORT: `${EXPORT_LIMIT}/1h` });
  database = await openTestDatabase();
  forgetCachedSigningKeys();
  await ensureSigningKey();
  app = await newClient({ name: 'Notes app' });
});
afterAll(() => database.close());

/** A user with everything an account can hold: sessions, an RP's tokens, factors, a remembered browser. */
async function fullUser(prefix = 'privacy') {
  const user = await newAccount(prefix, { name: 'Grace Hopper' });
  // Signed in with the password and a second factor: fresh enough to delete the account.
  const browser = await signedIn(user.id, USER_AGENT, MULTI_FACTOR, USER_IP);
  const other = await signedIn(user.id, 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Safari/604.1', ['pwd'], '198.51.100.21');
  await addConsentScopes(user.id, app.client.id, ['openid', 'profile', 'email', 'offline_access']);
  const tokens = await signIn(app, user);
  await savePendingTotpFactor(user.id, 'v1.sealed-totp-secret-marker', new Date());
  await insertPasskey({
    userId: user.id,
    credentialId: new Uint8Array(createHash('sha256').update(user.id).digest()),
    publicKey: new Uint8Array(Buffer.from('public-key-bytes-marker')),
    counter: 7,
    transports: ['internal', 'hybrid'],
    backupEligible: true,
    backedUp: true,
    aaguid: 'fbfc3007-154e-4ecc-8c0b-6e020557d7bd',
    nickname: 'Grace’s phone',
    createdAt: new Date(),
  });
  const trusted = await trustBrowser(user.id, testContext({ ip: USER_IP, userAgent: USER_AGENT }));
  await recordAuditEvent({ type: 'auth.sign_in', outcome: 'success', actorUserId: user.id, subject: user.id, details: { amr: ['pwd'] }, context: testContext({ ip: USER_IP, userAgent: USER_AGENT }) });
  return { user, browser, other, tokens: tokens as { access_token: string; refresh_token: string }, trusted: trusted! };
}

function exportRequest(token: string | undefined, headers: Record<string, string> = {}) {
  return new NextRequest(`${ISSUER}/api/account/export`, {
    headers: { 'sec-fetch-site': 'same-origin', 'x-optare-client-ip': USER_IP, 'user-agent': USER_AGENT, ...(token ? { cookie: `${sessionCookie().name}=${token}` } : {}), ...headers },
  });
}

async function count(sql: string, values: unknown[] = []): Promise<number> {
  const [row] = await database.sql<{ n: string }>(sql, values);
  return Number(row!.n);
}

/** Audit events other than the refusals lib/audit/refusals.ts records (at most once a minute, in the background). */
const auditCount = () => count("SELECT count(*) AS n FROM audit_events WHERE type NOT IN ('api_key.refused', 'account.access_denied', 'security.cross_site_refused', 'security.invalid_input')");

/** Makes the session's sign-in older than the 10-minute freshness rule. */
async function makeStale(sessionId: string) {
  await database.sql("UPDATE sessions SET authenticated_at = now() - interval '11 minutes' WHERE id = $1", [sessionId]);
}

/** Rows left anywhere that belong to this user id. */
async function rowsOf(userId: string): Promise<Record<string, number>> {
  const tables = ['sessions', 'consents', 'grants', 'totp_factors', 'webauthn_credentials', 'recovery_codes', 'trusted_devices', 'email_tokens', 'pending_logins'];
  const counts: Record<string, number> = { users: await count('SELECT count(*) AS n FROM users WHERE id = $1', [userId]) };
  for (const table of tables) counts[table] = await count(`SELECT count(*) AS n FROM ${table} WHERE user_id = $1`, [userId]);
  return counts;
}

/** Every audit row (and salt) as text, to search for what must be gone. */
async function auditText(): Promise<string> {
  const events = await database.sql('SELECT row_to_json(e)::text AS t FROM audit_events e');
  return events.map((row) => row.t as string).join('\n');
}

describe('last administrator', () => {
  it('cannot be deleted, by themselves (account area) or by an API key; nothing is written', async () => {
    const only = await newAdmin('only-admin');
    // No other enabled administrator exists in this test's fresh database yet.
    expect(await count('SELECT count(*) AS n FROM users WHERE is_admin AND disabled_at IS NULL')).toBe(1);
    const session = await signedIn(only.id);
    const before = await auditCount();
    const self = await accountDeleteRoute(accountPost('/api/account/delete', JSON.stringify({ confirmEmail: only.email }), session.token));
    expect((await expectRefused(self, 409)).error).toBe('last_admin');
    const key = await newApiKey(['users:write']);
    const api = await callApi(apiUserRoute, 'DELETE', `/users/${only.id}`, { key: key.key, params: { userId: only.id }, body: JSON.stringify({ reason: 'Leaving the company' }) });
    expect((await expectRefused(api, 409)).error).toBe('last_admin');
    expect(await auditCount()).toBe(before);
    expect((await rowsOf(only.id)).users).toBe(1);
  });
});

describe('GET /api/account/export', () => {
  it('downloads everything Optare holds about the user as a JSON attachment, with no secret in it; audited', async () => {
    const { user, browser, trusted, tokens } = await fullUser();
    const response = await accountExportRoute(exportRequest(browser.token));
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="optare-export-\d{4}-\d{2}-\d{2}\.json"$/);
    const text = await response.text();
    const data = JSON.parse(text);
    expect(data.profile).toMatchObject({ id: user.id, email: user.email, name: 'Grace Hopper', isAdmin: false });
    expect(data.sessions).toHaveLength(2);
    expect(data.sessions.filter((session: { current: boolean }) => session.current)).toEqual([expect.objectContaining({ ip: USER_IP, userAgent: USER_AGENT, browser: 'Firefox' })]);
    expect(data.rememberedBrowsers).toEqual([expect.objectContaining({ ip: USER_IP, userAgent: USER_AGENT })]);
    expect(data.authenticatorApp).toMatchObject({ status: 'pending' });
    expect(data.passkeys).toEqual([
      expect.objectContaining({ name: 'Grace’s phone', transports: ['internal', 'hybrid'], aaguid: 'fbfc3007-154e-4ecc-8c0b-6e020557d7bd', deviceType: 'synced' }),
    ]);
    expect(data.recoveryCodesRemaining).toBe(0);
    expect(data.consents).toEqual([expect.objectContaining({ clientId: app.client.id, app: 'Notes app', scopes: expect.arrayContaining(['openid', 'email']) })]);
    expect(data.connectedApps).toEqual([expect.objectContaining({ clientId: app.client.id, revokedAt: null })]);
    expect(data.auditEvents.map((event: { type: string }) => event.type)).toEqual(expect.arrayContaining(['user.created', 'auth.sign_in']));
    for (const secret of ['$argon2', 'passwordHash', 'v1.sealed-totp-secret-marker', 'public-key-bytes-marker', browser.token, trusted, tokens.refresh_token, tokens.access_token, 'tokenHash', 'counter']) {
      expect(text).not.toContain(secret);
    }
    const [event] = await database.sql("SELECT actor_user_id, subject, details FROM audit_events WHERE type = 'user.exported' AND subject = $1", [user.id]);
    expect(event).toEqual({ actor_user_id: user.id, subject: user.id, details: { via: 'self' } });
  });

  it('refuses another site, a missing session, and too many downloads, recording no export', async () => {
    const { user, browser } = await fullUser('export-refused');
    const exports = () => count("SELECT count(*) AS n FROM audit_events WHERE type = 'user.exported' AND subject = $1", [user.id]);
    expect((await expectRefused(await accountExportRoute(exportRequest(browser.token, { 'sec-fetch-site': 'cross-site' })), 403)).error).toBe('cross_site_request');
    expect((await expectRefused(await accountExportRoute(exportRequest(browser.token, { 'sec-fetch-site': 'same-site' })), 403)).error).toBe('cross_site_request');
    expect((await expectRefused(await accountExportRoute(exportRequest(browser.token, { origin: 'https://evil.example' })), 403)).error).toBe('cross_site_request');
    expect((await expectRefused(await accountExportRoute(exportRequest(undefined)), 401)).error).toBe('not_signed_in');
    expect((await expectRefused(await accountExportRoute(exportRequest('forged-token')), 401)).error).toBe('not_signed_in');
    expect(await exports()).toBe(0);
    for (let i = 0; i < EXPORT_LIMIT; i++) expect((await accountExportRoute(exportRequest(browser.token))).status).toBe(200);
    const limited = await accountExportRoute(exportRequest(browser.token));
    expect((await expectRefused(limited, 429)).error).toBe('rate_limited');
    expect(await exports()).toBe(EXPORT_LIMIT);
  });
});

describe('POST /api/account/delete', () => {
  it('refuses a stale session with reauthentication_required, a wrong address, another site and hostile bodies, writing nothing', async () => {
    const { user, browser, other } = await fullUser('delete-refused');
    const before = { audit: await auditCount(), rows: await rowsOf(user.id) };
    const good = JSON.stringify({ confirmEmail: user.email });

    const wrong = await accountDeleteRoute(accountPost('/api/account/delete', JSON.stringify({ confirmEmail: 'someone.else@example.com' }), browser.token));
    const wrongBody = await expectRefused(wrong, 400);
    expect(wrongBody).toMatchObject({ error: 'email_mismatch', fieldErrors: { confirmEmail: [expect.any(String)] } });
    const crossSite = await accountDeleteRoute(accountPost('/api/account/delete', good, browser.token, { origin: 'https://evil.example' }));
    expect((await expectRefused(crossSite, 403)).error).toBe('cross_site_request');
    expect((await expectRefused(await accountDeleteRoute(accountPost('/api/account/delete', good)), 401)).error).toBe('not_signed_in');
    for (const [, body] of HOSTILE_BODIES) await expectRefused(await accountDeleteRoute(accountPost('/api/account/delete', body, browser.token)));
    await expectRefused(await accountDeleteRoute(accountPost('/api/account/delete', JSON.stringify({ confirmEmail: 'x'.repeat(300) }), browser.token)), 400);

    // A recent sign-in with the password alone, by a user who has a passkey: the second factor first.
    const passwordOnly = await accountDeleteRoute(accountPost('/api/account/delete', good, other.token));
    expect(await expectRefused(passwordOnly, 403)).toMatchObject({ error: 'reauthentication_required', redirectTo: '/sign-in/step-up?next=/account' });
    await makeStale(browser.sessionId);
    const stale = await accountDeleteRoute(accountPost('/api/account/delete', good, browser.token));
    expect(await expectRefused(stale, 403)).toMatchObject({ error: 'reauthentication_required', redirectTo: '/sign-in/step-up?next=/account' });

    expect(await auditCount()).toBe(before.audit);
    expect(await rowsOf(user.id)).toEqual(before.rows);
  });

  it('deletes the account after a fresh sign-in: everything goes, the RP’s tokens die, the browser is signed out; audited with the pseudonym', async () => {
    const { user, browser, tokens } = await fullUser('delete-self');
    expect((await introspect(app, tokens.access_token)).body.active).toBe(true);
    const response = await accountDeleteRoute(accountPost('/api/account/delete', JSON.stringify({ confirmEmail: `  ${user.email.toUpperCase()} ` }), browser.token));
    expect(await expectJson(response)).toEqual({ deleted: true, redirectTo: '/account/deleted' });
    expect(response.headers.get('clear-site-data')).toBe('"cache", "cookies", "storage"');
    const cleared = response.headers.getSetCookie().find((cookie) => cookie.startsWith(`${sessionCookie().name}=`));
    expect(cleared).toMatch(/^[^=]+=;.*Max-Age=0/i);

    expect(Object.values(await rowsOf(user.id)).every((n) => n === 0)).toBe(true);
    const refreshed = await refresh(app, tokens.refresh_token);
    expect(refreshed.status).toBe(400);
    expect(refreshed.body.error).toBe('invalid_grant');
    expect((await introspect(app, tokens.access_token)).body).toEqual({ active: false });
    expect((await userinfo(tokens.access_token)).status).toBe(401);

    const pseudonym = pseudonymOf(user.id, getConfig().encryption.current);
    const [deleted] = await database.sql("SELECT actor_user_id, subject, ip, user_agent, details FROM audit_events WHERE type = 'user.deleted' AND subject = $1", [pseudonym]);
    expect(deleted).toMatchObject({ actor_user_id: pseudonym, subject: pseudonym, ip: null, user_agent: null });
    expect(deleted!.details).toMatchObject({ pseudonym, via: 'self', sessionsEnded: 2, grantsRevoked: 1, consentsRevoked: 1, passkeysRemoved: 1, totpRemoved: 1, rememberedBrowsersForgotten: 1 });
    expect(await auditText()).not.toContain(user.email);
    expect(await verifyAuditChain({ batchSize: 7 })).toMatchObject({ ok: true });
  });
});

describe('admin deletion and export', () => {
  it('the admin API deletes a user with a reason (users:write), refusing bad ids, missing or oversized reasons and a read-only key', async () => {
    const { user } = await fullUser('api-delete');
    const writer = await newApiKey(['users:write']);
    const reader = await newApiKey(['users:read']);
    const before = await auditCount();
    const call = (key: string, userId: string, body?: string) => callApi(apiUserRoute, 'DELETE', `/users/${userId}`, { key, params: { userId }, body });

    expect((await expectRefused(await call(reader.key, user.id, JSON.stringify({ reason: 'Asked by email' })), 403)).error).toBe('insufficient_scope');
    for (const body of ['{}', JSON.stringify({ reason: '' }), JSON.stringify({ reason: 'x'.repeat(501) }), JSON.stringify({ reason: 'ok\u0000no' })]) {
      await expectRefused(await call(writer.key, user.id, body), 400);
    }
    for (const body of ['[]', 'reason=x', '']) await expectRefused(await call(writer.key, user.id, body));
    await expectRefused(await call(writer.key, user.id, JSON.stringify({ reason: 'x'.repeat(70_000) })));
    for (const bad of BAD_USER_IDS) await expectRefused(await call(writer.key, bad, JSON.stringify({ reason: 'Asked by email' })));
    await expectRefused(await call(writer.key, '00000000-0000-4000-8000-000000000000', JSON.stringify({ reason: 'Asked by email' })), 404);
    expect(await auditCount()).toBe(before);
    expect((await rowsOf(user.id)).users).toBe(1);

    const done = await expectJson(await call(writer.key, user.id, JSON.stringify({ reason: 'Asked by email on 2026-11-30' })));
    const pseudonym = pseudonymOf(user.id, getConfig().encryption.current);
    expect(done).toMatchObject({ deleted: true, pseudonym });
    expect(done.eventsPseudonymised).toBeGreaterThanOrEqual(3);
    const [event] = await database.sql("SELECT actor_api_key_id, actor_user_id, subject, ip, details FROM audit_events WHERE type = 'user.deleted' AND subject = $1", [pseudonym]);
    expect(event).toMatchObject({ actor_api_key_id: writer.id, actor_user_id: null, subject: pseudonym, ip: '192.0.2.99' });
    expect(event!.details).toMatchObject({ via: 'admin', reason: 'Asked by email on 2026-11-30', pseudonym });
    expect((await rowsOf(user.id)).users).toBe(0);
    await expectRefused(await call(writer.key, user.id, JSON.stringify({ reason: 'Again' })), 404);
  });

  it('the console needs the typed address and a reason, and refuses an administrator deleting themselves', async () => {
    const admin = await newAdmin('console-admin');
    await newAdmin('second-admin');
    const { cookie } = await consoleSignIn(admin.id);
    const { user } = await fullUser('console-delete');
    const before = await auditCount();
    const call = (userId: string, body: string, headers: Record<string, string> = {}) =>
      callConsole(consoleDeleteRoute, `/users/${userId}/delete`, { cookie, params: { userId }, body, headers });

    const self = await call(admin.id, JSON.stringify({ reason: 'Testing myself', confirmEmail: admin.email }));
    expect((await expectRefused(self, 409)).error).toBe('cannot_delete_self');
    const mismatch = await call(user.id, JSON.stringify({ reason: 'Closing the account', confirmEmail: 'not-them@example.com' }));
    expect(await expectRefused(mismatch, 400)).toMatchObject({ error: 'email_mismatch', fieldErrors: { confirmEmail: [expect.any(String)] } });
    await expectRefused(await call(user.id, JSON.stringify({ reason: 'Closing the account' })), 400);
    await expectRefused(await call(user.id, JSON.stringify({ confirmEmail: user.email })), 400);
    expect((await expectRefused(await call(user.id, JSON.stringify({ reason: 'Closing', confirmEmail: user.email }), { origin: 'https://evil.example' }), 403)).error).toBe('cross_site_request');
    expect(await auditCount()).toBe(before);

    const done = await expectJson(await call(user.id, JSON.stringify({ reason: 'Closing the account', confirmEmail: user.email })));
    expect(done.deleted).toBe(true);
    const [event] = await database.sql("SELECT actor_user_id, ip, details FROM audit_events WHERE type = 'user.deleted' AND subject = $1", [done.pseudonym]);
    expect(event).toMatchObject({ actor_user_id: admin.id, ip: ADMIN_IP, details: expect.objectContaining({ reason: 'Closing the account', via: 'admin' }) });
  });

  it('exports a user’s data for an administrator only with a reason, audited with the actor and the reason', async () => {
    const { user } = await fullUser('admin-export');
    const reader = await newApiKey(['users:read']);
    const exported = () => database.sql("SELECT actor_api_key_id, actor_user_id, details FROM audit_events WHERE type = 'user.exported' AND subject = $1 ORDER BY seq", [user.id]);
    const call = (query: string, userId = user.id) => callApi(apiExportRoute, 'GET', `/users/${userId}/export${query}`, { key: reader.key, params: { userId } });

    for (const query of ['', '?reason=', '?reason=ab', `?reason=${'x'.repeat(501)}`, '?reason=a&reason=b', '?reason=%00%00%00%00']) await expectRefused(await call(query), 400);
    for (const bad of BAD_USER_IDS) await expectRefused(await call('?reason=Subject%20access%20request', bad));
    await expectRefused(await call('?reason=Subject%20access%20request', '00000000-0000-4000-8000-000000000000'), 404);
    expect(await exported()).toEqual([]);

    const response = await call('?reason=Subject%20access%20request');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="optare-export-/);
    const data = JSON.parse(await response.text());
    expect(data.profile.email).toBe(user.email);
    expect(data.sessions.every((session: { current: boolean }) => session.current === false)).toBe(true);
    expect(await exported()).toEqual([{ actor_api_key_id: reader.id, actor_user_id: null, details: { via: 'admin', reason: 'Subject access request' } }]);

    const admin = await newAdmin('export-admin');
    const { cookie } = await consoleSignIn(admin.id);
    const consoleCall = (query: string, headers: Record<string, string> = {}) =>
      consoleExportRoute(new Request(`${ISSUER}/api/admin/console/users/${user.id}/export${query}`, { headers: { cookie, 'sec-fetch-site': 'same-origin', ...headers } }), {
        params: Promise.resolve({ userId: user.id }),
      });
    await expectRefused(await consoleCall(''), 400);
    expect((await expectRefused(await consoleCall('?reason=Support%20ticket%2042', { 'sec-fetch-site': 'cross-site' }), 403)).error).toBe('cross_site_request');
    expect((await consoleCall('?reason=Support%20ticket%2042')).status).toBe(200);
    expect((await exported()).at(-1)).toEqual({ actor_api_key_id: null, actor_user_id: admin.id, details: { via: 'admin', reason: 'Support ticket 42' } });
  });
});

describe('audit-pseudonymisation-tampering', () => {
  let victim: { id: string; email: string };
  let pseudonym: string;
  let seqs: string[];
  let legacySeq: string;
  const VICTIM_IP = '198.51.100.123';
  const VICTIM_AGENT = 'Ada Browser/2.0';

  /** Someone with the owner's rights edits rows behind Optare's back, then puts them back. */
  async function tamper(sql: string, restore: string, values: unknown[] = [], restoreValues = values) {
    await database.sql('ALTER TABLE audit_events DISABLE TRIGGER USER');
    try {
      await database.sql(sql, values);
      return await verifyAuditChain({ batchSize: 5 });
    } finally {
      await database.sql(restore, restoreValues);
      await database.sql('ALTER TABLE audit_events ENABLE TRIGGER USER');
    }
  }

  /** A version 1 event, as Optare wrote them before salted digests, appended to the chain by hand. */
  async function appendLegacyEvent(userId: string, email: string) {
    const [head] = await database.sql('SELECT seq, hash FROM audit_chain_head WHERE id = 1');
    const seq = BigInt(head!.seq as string) + 1n;
    const content = {
      createdAt: new Date(Date.now() - 1000),
      type: 'auth.sign_in',
      actorUserId: userId,
      subject: email,
      ip: '203.0.113.99',
      userAgent: 'Legacy Browser/1.0',
      requestId: 'legacy-request',
      outcome: 'success',
      details: { amr: ['pwd'] },
    };
    const hash = chainHash(head!.hash as Buffer, seq, auditContentHash(content));
    await database.sql(
      `INSERT INTO audit_events (seq, created_at, type, actor_user_id, subject, ip, user_agent, request_id, outcome, details, prev_hash, hash, content_version)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1)`,
      [seq.toString(), content.createdAt, content.type, userId, email, content.ip, content.userAgent, content.requestId, content.outcome, JSON.stringify(content.details), head!.hash, Buffer.from(hash)],
    );
    await database.sql('UPDATE audit_chain_head SET seq = $1, prev_hash = hash, hash = $2 WHERE id = 1', [seq.toString(), Buffer.from(hash)]);
    return seq.toString();
  }

  beforeAll(async () => {
    const account = await newAccount('pseudonymised', { name: 'Ada Byron' });
    victim = account;
    legacySeq = await appendLegacyEvent(account.id, account.email);
    const session = await signedIn(account.id, VICTIM_AGENT, MULTI_FACTOR, VICTIM_IP);
    await recordAuditEvent({ type: 'user.email_changed', outcome: 'success', actorUserId: account.id, subject: account.id, details: { from: 'old.ada@example.com', to: account.email }, context: testContext({ ip: VICTIM_IP, userAgent: VICTIM_AGENT }) });
    await recordAuditEvent({ type: 'auth.sign_in', outcome: 'failure', subject: 'old.ada@example.com', details: { reason: 'wrong_password' }, context: testContext({ ip: '198.51.100.66', userAgent: VICTIM_AGENT }) });
    const admin = await newAdmin('pseudonym-admin');
    await recordAuditEvent({ type: 'user.mfa_reset', outcome: 'success', actorUserId: admin.id, subject: account.id, details: { reason: 'Lost phone', nickname: 'Ada’s key' }, context: testContext({ ip: ADMIN_IP, userAgent: 'admin-console' }) });
    // Someone else's events stay as they were.
    const bystander = await newAccount('bystander');
    await recordAuditEvent({ type: 'auth.sign_in', outcome: 'success', actorUserId: bystander.id, subject: bystander.id, details: {}, context: testContext({ ip: '198.51.100.77' }) });
    expect(await verifyAuditChain()).toMatchObject({ ok: true });

    seqs = (await database.sql('SELECT seq FROM audit_events WHERE actor_user_id = $1 OR subject IN ($2, $3, $4) ORDER BY seq', [account.id, account.id, account.email, 'old.ada@example.com'])).map((row) => String(row.seq));
    expect(seqs).toHaveLength(5); // legacy sign-in, created, email changed, failed sign-in, MFA reset
    const response = await accountDeleteRoute(accountPost('/api/account/delete', JSON.stringify({ confirmEmail: account.email }), session.token));
    expect(response.status).toBe(200);
    pseudonym = pseudonymOf(account.id, getConfig().encryption.current);
  });

  it('(a) the whole chain still verifies after the deletion', async () => {
    for (const batchSize of [1, 3, 500]) expect(await verifyAuditChain({ batchSize })).toMatchObject({ ok: true });
  });

  it('(c) the email addresses, name, IP addresses and browsers are gone, and no salt is left to recompute them', async () => {
    const rows = await database.sql('SELECT seq, actor_user_id, subject, ip, user_agent, details, pseudonymised_at FROM audit_events WHERE seq = ANY($1::int8[]) ORDER BY seq', [seqs]);
    expect(rows.every((row) => row.pseudonymised_at !== null)).toBe(true);
    const text = await auditText();
    for (const gone of [victim.email, 'old.ada@example.com', 'Ada Byron', victim.id, VICTIM_IP, VICTIM_AGENT, '198.51.100.66', '203.0.113.99', 'Legacy Browser/1.0', 'Ada’s key']) {
      expect(text).not.toContain(gone);
    }
    // The administrator's own address and browser in the MFA-reset event are the administrator's, and stay.
    expect(rows.find((row) => row.details.reason === 'Lost phone')).toMatchObject({ ip: ADMIN_IP, user_agent: 'admin-console', subject: pseudonym });
    expect(await count('SELECT count(*) AS n FROM audit_personal_salts WHERE seq = ANY($1::int8[])', [seqs])).toBe(0);
    // No unsalted hash of the address anywhere: neither its SHA-256 in hex nor in bytes.
    const emailHash = createHash('sha256').update(victim.email).digest();
    expect(text).not.toContain(emailHash.toString('hex'));
    expect(await count('SELECT count(*) AS n FROM audit_events WHERE personal_digest = $1 OR legacy_content_hash = $1', [emailHash])).toBe(0);
  });

  it('(d) every event of the deleted user carries the same stable pseudonym, distinct from anyone else’s', async () => {
    const rows = await database.sql('SELECT actor_user_id, subject FROM audit_events WHERE seq = ANY($1::int8[])', [seqs]);
    expect(new Set(rows.map((row) => row.subject))).toEqual(new Set([pseudonym]));
    expect(rows.filter((row) => row.actor_user_id !== null && row.actor_user_id !== pseudonym).length).toBe(1); // the administrator's reset
    expect(pseudonym).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(pseudonymOf(victim.id, getConfig().encryption.current)).toBe(pseudonym);
    expect(pseudonymOf(victim.id, new Uint8Array(32))).not.toBe(pseudonym);
    const [deleted] = await database.sql("SELECT details FROM audit_events WHERE type = 'user.deleted' AND subject = $1", [pseudonym]);
    expect(deleted!.details.pseudonym).toBe(pseudonym);
  });

  it('(b) editing a non-personal field of a pseudonymised event is still detected', async () => {
    const target = seqs.find((seq) => seq !== legacySeq)!;
    const cases: Array<[string, string]> = [
      ['UPDATE audit_events SET type = $2 WHERE seq = $1', 'user.enabled'],
      ['UPDATE audit_events SET outcome = $2 WHERE seq = $1', 'failure'],
      ["UPDATE audit_events SET created_at = created_at + interval '1 second' WHERE seq = $1 AND $2 = $2", 'x'],
      ['UPDATE audit_events SET request_id = $2 WHERE seq = $1', 'forged-request'],
      ["UPDATE audit_events SET details = details || jsonb_build_object('forged', $2::text) WHERE seq = $1", 'yes'],
      ['UPDATE audit_events SET personal_digest = sha256(personal_digest) WHERE seq = $1 AND $2 = $2', 'x'],
    ];
    for (const [sql, value] of cases) {
      const [saved] = await database.sql('SELECT * FROM audit_events WHERE seq = $1', [target]);
      const result = await database.sql('ALTER TABLE audit_events DISABLE TRIGGER USER').then(async () => {
        try {
          await database.sql(sql, [target, value]);
          return await verifyAuditChain({ batchSize: 5 });
        } finally {
          await database.sql(
            'UPDATE audit_events SET type = $2, outcome = $3, created_at = $4, request_id = $5, details = $6, personal_digest = $7 WHERE seq = $1',
            [target, saved!.type, saved!.outcome, saved!.created_at, saved!.request_id, JSON.stringify(saved!.details), saved!.personal_digest],
          );
          await database.sql('ALTER TABLE audit_events ENABLE TRIGGER USER');
        }
      });
      expect(result, sql).toMatchObject({ ok: false, firstBroken: { seq: Number(target), code: 'hash_mismatch' } });
    }
    expect(await verifyAuditChain()).toMatchObject({ ok: true });
  });

  it('(b) swapping two pseudonymised events, or marking someone else’s event pseudonymised, is detected', async () => {
    const [first, second] = seqs.filter((seq) => seq !== legacySeq);
    const swap = `UPDATE audit_events SET seq = -1 WHERE seq = ${Number(first)};
      UPDATE audit_events SET seq = ${Number(first)} WHERE seq = ${Number(second)};
      UPDATE audit_events SET seq = ${Number(second)} WHERE seq = -1;`;
    const swapped = await tamper(swap, swap);
    expect(swapped).toMatchObject({ ok: false, firstBroken: { seq: Number(first) } });

    // Hiding an edit of a living user's address behind a fake pseudonymisation: the salt is deleted, the row marked.
    const [living] = await database.sql("SELECT seq, ip FROM audit_events WHERE ip = '198.51.100.77'");
    const [salt] = await database.sql('SELECT salt FROM audit_personal_salts WHERE seq = $1', [living!.seq]);
    await database.sql('ALTER TABLE audit_personal_salts DISABLE TRIGGER USER');
    try {
      const faked = await tamper(
        "UPDATE audit_events SET ip = '10.0.0.1', pseudonymised_at = now() WHERE seq = $1",
        'UPDATE audit_events SET ip = $2, pseudonymised_at = NULL WHERE seq = $1',
        [living!.seq],
        [living!.seq, living!.ip],
      );
      expect(faked).toMatchObject({ ok: false, firstBroken: { code: 'hash_mismatch' } });
      await database.sql('DELETE FROM audit_personal_salts WHERE seq = $1', [living!.seq]);
      const unexplained = await tamper(
        'UPDATE audit_events SET pseudonymised_at = now() WHERE seq = $1 AND $2::text IS NOT NULL',
        'UPDATE audit_events SET pseudonymised_at = NULL WHERE seq = $1 AND $2::text IS NOT NULL',
        [living!.seq, 'x'],
      );
      expect(unexplained).toMatchObject({ ok: false, firstBroken: { seq: Number(living!.seq), reason: expect.stringMatching(/no user.deleted event names its pseudonym/) } });
      const missingSalt = await verifyAuditChain();
      expect(missingSalt).toMatchObject({ ok: false, firstBroken: { seq: Number(living!.seq), reason: expect.stringMatching(/salt .* is missing/) } });
    } finally {
      await database.sql('INSERT INTO audit_personal_salts (seq, salt) VALUES ($1, $2) ON CONFLICT DO NOTHING', [living!.seq, salt!.salt]);
      await database.sql('ALTER TABLE audit_personal_salts ENABLE TRIGGER USER');
    }
    expect(await verifyAuditChain()).toMatchObject({ ok: true });
  });

  it('a version 1 event keeps only its chain link checkable once pseudonymised (the documented limit)', async () => {
    const [legacy] = await database.sql('SELECT content_version, actor_user_id, subject, ip, user_agent, legacy_content_hash FROM audit_events WHERE seq = $1', [legacySeq]);
    expect(legacy).toMatchObject({ content_version: 1, actor_user_id: pseudonym, subject: pseudonym, ip: null, user_agent: null });
    expect(legacy!.legacy_content_hash).toHaveLength(32);
    const broken = await tamper(
      'UPDATE audit_events SET legacy_content_hash = sha256(legacy_content_hash) WHERE seq = $1',
      'UPDATE audit_events SET legacy_content_hash = $2 WHERE seq = $1',
      [legacySeq],
      [legacySeq, legacy!.legacy_content_hash],
    );
    expect(broken).toMatchObject({ ok: false, firstBroken: { seq: Number(legacySeq), code: 'hash_mismatch' } });
  });

  it('the database lets a pseudonymisation change only the personal columns, once, and refuses updates outside one', async () => {
    const target = seqs[1]!;
    const [living] = await database.sql("SELECT seq FROM audit_events WHERE ip = '198.51.100.77'");
    await expect(
      database.sql(`BEGIN; SELECT set_config('optare.audit_pseudonymise', 'on', true); UPDATE audit_events SET type = 'user.enabled', pseudonymised_at = now() WHERE seq = ${Number(living!.seq)}; COMMIT;`),
    ).rejects.toThrow(/only the personal fields, once/);
    await database.sql('ROLLBACK');
    await expect(database.sql("UPDATE audit_events SET ip = '10.0.0.1' WHERE seq = $1", [target])).rejects.toThrow(/append-only/);
    await expect(database.sql('DELETE FROM audit_personal_salts')).rejects.toThrow(/refused/);
    await expect(database.sql('UPDATE audit_personal_salts SET salt = salt')).rejects.toThrow(/refused/);
    for (const change of ["type = 'user.enabled'", 'hash = sha256(hash)', 'personal_digest = NULL', 'pseudonymised_at = now()']) {
      await expect(
        database.sql(`BEGIN; SELECT set_config('optare.audit_pseudonymise', 'on', true); UPDATE audit_events SET ${change} WHERE seq = ${Number(target)}; COMMIT;`),
        change,
      ).rejects.toThrow(/only the personal fields, once/);
      await database.sql('ROLLBACK');
    }
    expect(await verifyAuditChain()).toMatchObject({ ok: true });
  });
});
