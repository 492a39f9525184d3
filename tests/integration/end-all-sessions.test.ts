import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as endAllConsole } from '../../app/api/admin/console/sessions/end-all/route';
import { POST as endAllApi } from '../../app/api/admin/v1/sessions/end-all/route';
import { validateSessionToken } from '../../lib/auth/sessions';
import { isTrustedBrowser, trustBrowser } from '../../lib/auth/trusted-devices';
import { sessionsEndAll } from '../../lib/cli/commands/sessions-end-all';
import { useTestConfig } from '../support/config';
import { testContext } from '../support/context';
import { openTestDatabase, type TestDatabase } from '../support/database';
import { ADMIN_ISSUER, callApi, callConsole, consoleSignIn, expectJson, expectRefused, newAccount, newAdmin, newApiKey, signedIn } from './admin-users-support';

/**
 * Ending every user's sessions at once (ASVS 7.4.5; lib/admin/end-all-sessions.ts): from the
 * console (reason and typed confirmation; the administrator's own console session stays), the
 * admin API (users:write) and the CLI; audited as sessions.ended_all with the counts and reason.
 */

let database: TestDatabase;
beforeAll(async () => {
  useTestConfig({ OPTARE_ISSUER: ADMIN_ISSUER, OPTARE_TRUSTED_DEVICE_DAYS: '30' });
  database = await openTestDatabase();
});
afterAll(() => database.close());

async function count(table: string): Promise<number> {
  const [row] = await database.sql<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
  return row!.n;
}

async function endedAllEvents() {
  return database.sql<{ actor_user_id: string | null; actor_api_key_id: string | null; user_agent: string | null; details: Record<string, unknown> }>(
    "SELECT actor_user_id, actor_api_key_id, user_agent, details FROM audit_events WHERE type = 'sessions.ended_all' ORDER BY seq",
  );
}

/** Two users signed in on two browsers each, one of them remembered for the second factor. */
async function signedInUsers() {
  const alice = await newAccount('alice');
  const bob = await newAccount('bob');
  const browsers = [await signedIn(alice.id), await signedIn(alice.id, ['pwd', 'otp', 'mfa']), await signedIn(bob.id), await signedIn(bob.id)];
  const remembered = (await trustBrowser(bob.id, testContext()))!;
  expect(await isTrustedBrowser(bob.id, remembered)).toBe(true);
  return { bob, browsers, remembered };
}

describe('ending every user’s sessions from the console', () => {
  it('after a leak of session cookies, signs every browser out and forgets remembered browsers, keeps the acting administrator’s console session, and audits it', async () => {
    const { bob, browsers, remembered } = await signedInUsers();
    const admin = await newAdmin();
    const console = await consoleSignIn(admin.id);
    const sessionsBefore = await count('sessions');
    const devicesBefore = await count('trusted_devices');

    const body = await expectJson(
      await callConsole(endAllConsole, '/sessions/end-all', {
        cookie: console.cookie,
        body: JSON.stringify({ reason: 'Session cookies leaked in a proxy log', confirm: '  End All Sessions ' }),
      }),
    );
    expect(body).toMatchObject({ sessionsEnded: sessionsBefore - 1, trustedDevicesForgotten: devicesBefore });
    for (const browser of browsers) expect(await validateSessionToken(browser.token, testContext())).toBeNull();
    expect(await isTrustedBrowser(bob.id, remembered)).toBe(false);
    expect(await validateSessionToken(console.token, testContext())).not.toBeNull();
    expect(await count('sessions')).toBe(1);

    expect((await endedAllEvents()).at(-1)).toEqual({
      actor_user_id: admin.id,
      actor_api_key_id: null,
      user_agent: 'admin-console-test',
      details: {
        sessionsEnded: sessionsBefore - 1,
        pendingSignInsEnded: expect.any(Number),
        trustedDevicesForgotten: devicesBefore,
        keptOwnSession: true,
        reason: 'Session cookies leaked in a proxy log',
      },
    });
  });

  it('refuses without the typed confirmation or a reason, ending nothing', async () => {
    const { browsers } = await signedInUsers();
    const admin = await newAdmin();
    const { cookie } = await consoleSignIn(admin.id);
    const events = (await endedAllEvents()).length;
    for (const input of [{ reason: 'Session cookies leaked' }, { reason: 'Session cookies leaked', confirm: 'yes' }, { confirm: 'end all sessions' }, { reason: 'x', confirm: 'end all sessions' }]) {
      const refused = await expectRefused(await callConsole(endAllConsole, '/sessions/end-all', { cookie, body: JSON.stringify(input) }), 400);
      expect(refused.error).toBe('invalid_request');
      expect(Object.keys(refused.fieldErrors as object).length).toBeGreaterThan(0);
    }
    for (const browser of browsers) expect(await validateSessionToken(browser.token, testContext())).not.toBeNull();
    expect((await endedAllEvents()).length).toBe(events);
  });

  it('is refused to someone who is not a console administrator, ending nothing', async () => {
    const { browsers } = await signedInUsers();
    const member = await newAccount('member');
    const { cookie } = await consoleSignIn(member.id); // a console cookie, of a user who is not an administrator
    const body = JSON.stringify({ reason: 'Session cookies leaked', confirm: 'end all sessions' });
    await expectRefused(await callConsole(endAllConsole, '/sessions/end-all', { cookie, body }), 403);
    await expectRefused(await callConsole(endAllConsole, '/sessions/end-all', { body }), 401);
    for (const browser of browsers) expect(await validateSessionToken(browser.token, testContext())).not.toBeNull();
  });
});

describe('ending every user’s sessions through the admin API and the CLI', () => {
  it('POST /sessions/end-all needs users:write and a reason, ends every session (keeping none) and is audited with the key', async () => {
    const admin = await newAdmin();
    const reader = await newApiKey(['users:read'], admin.id);
    const writer = await newApiKey(['users:write'], admin.id);
    const { browsers } = await signedInUsers();
    const body = JSON.stringify({ reason: 'Rotating after an incident' });

    expect((await expectRefused(await callApi(endAllApi, 'POST', '/sessions/end-all', { key: reader.key, body }), 403)).error).toBe('insufficient_scope');
    expect((await expectRefused(await callApi(endAllApi, 'POST', '/sessions/end-all', { key: writer.key, body: '{}' }), 400)).error).toBe('invalid_request');
    for (const browser of browsers) expect(await validateSessionToken(browser.token, testContext())).not.toBeNull();

    const sessionsBefore = await count('sessions');
    const ended = await expectJson(await callApi(endAllApi, 'POST', '/sessions/end-all', { key: writer.key, body }));
    expect(ended).toEqual({ sessionsEnded: sessionsBefore, pendingSignInsEnded: expect.any(Number), trustedDevicesForgotten: expect.any(Number) });
    expect(await count('sessions')).toBe(0);
    expect((await endedAllEvents()).at(-1)).toMatchObject({
      actor_user_id: null,
      actor_api_key_id: writer.id,
      details: { sessionsEnded: sessionsBefore, keptOwnSession: false, reason: 'Rotating after an incident' },
    });
  });

  it('`optare sessions end-all --reason` ends every session, audited as the CLI; a missing or short reason changes nothing', async () => {
    const { browsers } = await signedInUsers();
    expect(() => sessionsEndAll.parseInput({})).toThrow('--reason is required');
    const short = await sessionsEndAll.run({ reason: 'no' });
    expect(short).toMatchObject({ ok: false, json: { ok: false, error: 'invalid_request' } });
    for (const browser of browsers) expect(await validateSessionToken(browser.token, testContext())).not.toBeNull();

    const done = await sessionsEndAll.run(sessionsEndAll.parseInput({ reason: 'Nightly drill of the incident runbook' }) as { reason: string });
    expect(done).toMatchObject({ ok: true, json: { ok: true, sessionsEnded: browsers.length } });
    for (const browser of browsers) expect(await validateSessionToken(browser.token, testContext())).toBeNull();
    expect((await endedAllEvents()).at(-1)).toMatchObject({
      actor_user_id: null,
      actor_api_key_id: null,
      user_agent: 'optare-cli',
      details: { sessionsEnded: browsers.length, keptOwnSession: false, reason: 'Nightly drill of the incident runbook' },
    });
  });
});
