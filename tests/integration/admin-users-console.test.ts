import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settleRefusalAudits } from '../../lib/audit/refusals';
import * as disableRoute from '../../app/api/admin/console/users/[userId]/disable/route';
import * as enableRoute from '../../app/api/admin/console/users/[userId]/enable/route';
import * as signOutRoute from '../../app/api/admin/console/users/[userId]/sign-out/route';
import * as mfaResetRoute from '../../app/api/admin/console/users/[userId]/mfa-reset/route';
import * as grantRoute from '../../app/api/admin/console/users/[userId]/admin/grant/route';
import * as revokeRoute from '../../app/api/admin/console/users/[userId]/admin/revoke/route';
import * as passwordResetRoute from '../../app/api/admin/console/users/[userId]/password-reset/route';
import { MFA_RESET_REASON } from '../../lib/admin/user-schemas';
import { validateSessionToken } from '../../lib/auth/sessions';
import { confirmTotpEnrollment, startTotpEnrollment } from '../../lib/auth/totp';
import { testContext } from '../support/context';
import type { TestDatabase } from '../support/database';
import { totpAt } from '../support/totp';
import {
  BAD_USER_IDS,
  callConsole,
  consoleSignIn,
  expectJson,
  expectRefused,
  HOSTILE_BODIES,
  newAccount,
  newAdmin,
  signedIn,
  type ConsoleUserHandler,
} from './admin-users-support';
import { newClient, openOAuthTestDatabase, refresh, signIn, type TestClient } from './token-endpoint.helpers';

/**
 * The console's user routes (/api/admin/console/users/[userId]/…): only a signed-in
 * administrator with a second factor, from the console's own origin, with a bounded JSON object;
 * the changes audited with the administrator as actor; refusals that write nothing.
 */

let database: TestDatabase;
let app: TestClient;
let admin: Awaited<ReturnType<typeof newAdmin>>;
let cookie: string;
beforeAll(async () => {
  database = await openOAuthTestDatabase();
  app = await newClient();
  admin = await newAdmin('console');
  cookie = (await consoleSignIn(admin.id)).cookie;
});
afterAll(() => database.close());

const ROUTES: Array<[string, ConsoleUserHandler, string]> = [
  ['disable', disableRoute.POST, '{}'],
  ['enable', enableRoute.POST, '{}'],
  ['sign-out', signOutRoute.POST, '{}'],
  ['mfa-reset', mfaResetRoute.POST, JSON.stringify({ reason: 'lost phone' })],
  ['admin/grant', grantRoute.POST, '{}'],
  ['admin/revoke', revokeRoute.POST, '{}'],
  ['password-reset', passwordResetRoute.POST, '{}'],
];

/** Events written, leaving out the audit of the refused input itself (security.invalid_input). */
async function eventCount(): Promise<number> {
  const [row] = await database.sql<{ count: string }>("SELECT count(*) FROM audit_events WHERE type <> 'security.invalid_input'");
  return Number(row!.count);
}

async function userRow(id: string) {
  const [row] = await database.sql<{ disabled_at: Date | null; is_admin: boolean }>('SELECT disabled_at, is_admin FROM users WHERE id = $1', [id]);
  return row!;
}

function post(name: string, handler: ConsoleUserHandler, userId: string, options: { cookie?: string; body?: string; headers?: Record<string, string> } = {}) {
  return callConsole(handler, `/users/${userId}/${name}`, { cookie, params: { userId }, ...options });
}

describe('who may call', () => {
  it('every route refuses no console sign-in (401), a non-administrator (403), an administrator without a second factor (403) and another site (403), writing nothing', async () => {
    const target = await newAccount('guarded');
    const member = await newAccount('member');
    const memberCookie = (await consoleSignIn(member.id)).cookie;
    const weakAdmin = await newAdmin('weak');
    const weakCookie = (await consoleSignIn(weakAdmin.id)).cookie;
    await database.sql("UPDATE sessions SET amr = '{pwd}' WHERE user_id = $1", [weakAdmin.id]);
    const before = await eventCount();
    for (const [name, handler, body] of ROUTES) {
      expect((await expectRefused(await post(name, handler, target.id, { cookie: '', body }), 401)).error, name).toBe('not_signed_in');
      expect((await expectRefused(await post(name, handler, target.id, { cookie: 'next-auth.session-token=forged', body }), 401)).error, name).toBe('not_signed_in');
      expect((await expectRefused(await post(name, handler, target.id, { cookie: memberCookie, body }), 403)).error, name).toBe('forbidden');
      expect((await expectRefused(await post(name, handler, target.id, { cookie: weakCookie, body }), 403)).error, name).toBe('forbidden');
      const crossSite = await post(name, handler, target.id, { body, headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' } });
      expect((await expectRefused(crossSite, 403)).error, name).toBe('cross_site_request');
    }
    // Refusals of non-administrators (admin.access_denied) and cross-site requests
    // (security.cross_site_refused, lib/audit/refusals.ts) are audited; nothing else is written.
    await settleRefusalAudits();
    const written = await database.sql<{ type: string }>('SELECT DISTINCT type FROM audit_events WHERE seq > $1 ORDER BY type', [before]);
    expect(written.map((row) => row.type)).toEqual(['admin.access_denied', 'security.cross_site_refused']);
    expect(await userRow(target.id)).toEqual({ disabled_at: null, is_admin: false });
  });
});

describe('hostile input', () => {
  it.each(HOSTILE_BODIES)('every route refuses %s with a 4xx, writing nothing', async (_what, body) => {
    const target = await newAccount('hostile');
    const session = await signedIn(target.id);
    const before = await eventCount();
    for (const [name, handler] of ROUTES) await expectRefused(await post(name, handler, target.id, { body }));
    expect(await eventCount()).toBe(before);
    expect(await validateSessionToken(session.token, testContext())).not.toBeNull();
  });

  it('every route answers 404 for ids that are not a user’s, never 500', async () => {
    const before = await eventCount();
    for (const [name, handler, body] of ROUTES) {
      for (const id of [...BAD_USER_IDS, '00000000-0000-4000-8000-000000000000']) {
        expect((await expectRefused(await post(name, handler, id, { body }), 404)).error, `${name} ${id.slice(0, 40)}`).toBe('not_found');
      }
    }
    expect(await eventCount()).toBe(before);
  });

  it('mfa-reset refuses a missing, too short, too long, non-string or invisible reason with field errors', async () => {
    const target = await newAccount('reasonless');
    for (const reason of [undefined, '', 'ab', 'x'.repeat(MFA_RESET_REASON.max + 1), ['lost phone'], { text: 'lost phone' }, 12345, 'lost\u200bphone']) {
      const body = await expectRefused(await post('mfa-reset', mfaResetRoute.POST, target.id, { body: JSON.stringify({ reason }) }), 400);
      expect(body.fieldErrors, JSON.stringify(reason)).toHaveProperty('reason');
    }
  });
});

describe('the changes', () => {
  it('disable then enable: sessions and refresh tokens end; audited with the administrator', async () => {
    const target = await newAccount('console-disable');
    const browser = await signedIn(target.id);
    const tokens = await signIn(app, target);
    const disabled = await expectJson(await post('disable', disableRoute.POST, target.id));
    expect(disabled).toMatchObject({ changed: true, user: { id: target.id, status: 'disabled' }, ended: { sessionsEnded: 1, grantsRevoked: 1 } });
    expect(await validateSessionToken(browser.token, testContext())).toBeNull();
    expect((await refresh(app, tokens.refresh_token!)).body.error).toBe('invalid_grant');
    expect(await expectJson(await post('enable', enableRoute.POST, target.id))).toMatchObject({ changed: true, user: { status: 'active' } });
    const events = await database.sql<{ type: string; actor_user_id: string; ip: string }>(
      "SELECT type, actor_user_id, ip FROM audit_events WHERE subject = $1 AND type IN ('user.disabled', 'user.enabled') ORDER BY seq",
      [target.id],
    );
    expect(events).toEqual([
      { type: 'user.disabled', actor_user_id: admin.id, ip: '192.0.2.50' },
      { type: 'user.enabled', actor_user_id: admin.id, ip: '192.0.2.50' },
    ]);
  });

  it('sign out everywhere ends the user’s sessions', async () => {
    const target = await newAccount('console-signout');
    const browser = await signedIn(target.id);
    expect(await expectJson(await post('sign-out', signOutRoute.POST, target.id))).toEqual({ sessionsEnded: 1, grantsRevoked: 0, trustedDevicesForgotten: 0 });
    expect(await validateSessionToken(browser.token, testContext())).toBeNull();
  });

  it('mfa-reset removes the authenticator app and records the reason', async () => {
    const target = await newAccount('console-mfa');
    const started = await startTotpEnrollment(target);
    if (!started.ok) throw new Error('enrollment refused');
    await confirmTotpEnrollment(target.id, totpAt(started.secret, new Date()), testContext());
    const removed = await expectJson(await post('mfa-reset', mfaResetRoute.POST, target.id, { body: JSON.stringify({ reason: 'Phone stolen; called the user back' }) }));
    expect(removed).toMatchObject({ totpRemoved: true });
    expect(await database.sql('SELECT 1 FROM totp_factors WHERE user_id = $1', [target.id])).toEqual([]);
    const [event] = await database.sql<{ actor_user_id: string; details: { reason: string } }>(
      "SELECT actor_user_id, details FROM audit_events WHERE subject = $1 AND type = 'user.mfa_reset'",
      [target.id],
    );
    expect(event).toMatchObject({ actor_user_id: admin.id, details: { reason: 'Phone stolen; called the user back' } });
  });

  it('grant and revoke the admin role; password reset sends the link', async () => {
    const target = await newAccount('console-role');
    expect(await expectJson(await post('admin/grant', grantRoute.POST, target.id))).toMatchObject({ changed: true, user: { isAdmin: true } });
    expect(await expectJson(await post('admin/revoke', revokeRoute.POST, target.id))).toMatchObject({ changed: true, user: { isAdmin: false } });
    expect(await expectJson(await post('password-reset', passwordResetRoute.POST, target.id))).toEqual({ sent: true });
  });

  it('refuses disabling yourself and removing your own admin role with 409, writing nothing', async () => {
    const before = await eventCount();
    const self = await expectRefused(await post('disable', disableRoute.POST, admin.id), 409);
    expect(self).toMatchObject({ error: 'cannot_disable_self', message: expect.stringContaining('your own account') });
    const own = await expectRefused(await post('admin/revoke', revokeRoute.POST, admin.id), 409);
    expect(own).toMatchObject({ error: 'cannot_revoke_own_admin', message: expect.stringContaining('your own admin role') });
    expect(await eventCount()).toBe(before);
    expect(await userRow(admin.id)).toEqual({ disabled_at: null, is_admin: true });
  });

  it('a disabled administrator’s console stops at the next request', async () => {
    const other = await newAdmin('other-console');
    const otherCookie = (await consoleSignIn(other.id)).cookie;
    const target = await newAccount('late');
    await expectJson(await post('disable', disableRoute.POST, other.id));
    expect((await expectRefused(await post('sign-out', signOutRoute.POST, target.id, { cookie: otherCookie }), 401)).error).toBe('not_signed_in');
  });
});
