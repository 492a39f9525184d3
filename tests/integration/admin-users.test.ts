import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MFA_RESET_REASON } from '../../lib/admin/user-schemas';
import {
  disableUser,
  enableUser,
  grantAdmin,
  resetUserMfa,
  revokeAdmin,
  searchUsers,
  sendUserPasswordReset,
  signOutEverywhere,
  userAuditEvents,
  userDetail,
  userSessions,
} from '../../lib/admin/users';
import type { AdminActor } from '../../lib/admin/actor';
import { authenticate } from '../../lib/auth/accounts';
import { resetPassword } from '../../lib/auth/password-reset';
import { generateRecoveryCodes } from '../../lib/auth/recovery-codes';
import { validateSessionToken } from '../../lib/auth/sessions';
import { confirmTotpEnrollment, startTotpEnrollment } from '../../lib/auth/totp';
import { isTrustedBrowser, trustBrowser } from '../../lib/auth/trusted-devices';
import { addConsentScopes } from '../../lib/db/consents';
import { GOOD_PASSWORD, testContext } from '../support/context';
import type { TestDatabase } from '../support/database';
import { totpAt } from '../support/totp';
import { consoleActor, newAccount, newAdmin, newApiKey, signedIn } from './admin-users-support';
import { linkToken, mailTo } from './email-support';
import { introspect, newClient, openOAuthTestDatabase, refresh, signIn, type TestClient } from './token-endpoint.helpers';
import { newAuthenticator, registerPasskey } from './webauthn-support';

/**
 * User management on the admin plane (lib/admin/users.ts): search, the detail of a user, and each
 * change an administrator or API key makes, with its effect on sessions, tokens and factors and
 * its audit event (actor, subject, before and after).
 */

let database: TestDatabase;
let app: TestClient;
beforeAll(async () => {
  database = await openOAuthTestDatabase();
  app = await newClient();
});
afterAll(() => database.close());

async function eventsAbout(subject: string, type: string) {
  return database.sql<{ actor_user_id: string | null; actor_api_key_id: string | null; ip: string | null; outcome: string; details: Record<string, unknown> }>(
    'SELECT actor_user_id, actor_api_key_id, ip, outcome, details FROM audit_events WHERE subject = $1 AND type = $2 ORDER BY seq',
    [subject, type],
  );
}

async function eventCount(): Promise<number> {
  const [row] = await database.sql<{ count: string }>('SELECT count(*) FROM audit_events');
  return Number(row!.count);
}

async function withTotp(user: { id: string; email: string }) {
  const started = await startTotpEnrollment(user);
  if (!started.ok) throw new Error('enrollment refused');
  const confirmed = await confirmTotpEnrollment(user.id, totpAt(started.secret, new Date()), testContext());
  if (!confirmed.ok) throw new Error('confirmation refused');
}

describe('searchUsers', () => {
  it('finds by a case-insensitive part of the email or the name, newest first, filtered by status and role, page by page', async () => {
    const marker = `zq${Date.now().toString(36)}`;
    const admin = await newAdmin();
    const actor = consoleActor(admin.id);
    const a = await newAccount(`${marker}.a`);
    const b = await newAccount('other', { name: `Grace ${marker.toUpperCase()} Hopper` });
    const c = await newAccount(`${marker}.c`, { isAdmin: true });
    const d = await newAccount(`${marker}.d`);
    await database.sql('UPDATE users SET disabled_at = now() WHERE id = $1', [d.id]);
    await newAccount('unrelated');

    const all = await searchUsers(actor, { q: marker.toUpperCase() });
    if (!all.ok) throw new Error('search failed');
    expect(all.page.items.map((user) => user.id)).toEqual([d.id, c.id, b.id, a.id]);
    expect(all.page.nextCursor).toBeNull();
    expect(all.page.items[0]).toMatchObject({ status: 'disabled', isAdmin: false, mfa: false, emailVerified: false });
    expect(all.page.items[0]).not.toHaveProperty('passwordHash');

    const active = await searchUsers(actor, { q: marker, status: 'active' });
    expect(active.ok && active.page.items.map((user) => user.id)).toEqual([c.id, b.id, a.id]);
    const disabled = await searchUsers(actor, { q: marker, status: 'disabled' });
    expect(disabled.ok && disabled.page.items.map((user) => user.id)).toEqual([d.id]);
    const admins = await searchUsers(actor, { q: marker, admin: true });
    expect(admins.ok && admins.page.items.map((user) => user.id)).toEqual([c.id]);
    const others = await searchUsers(actor, { q: marker, admin: false, status: 'active' });
    expect(others.ok && others.page.items.map((user) => user.id)).toEqual([b.id, a.id]);

    // Two per page: every user once, in order, then no cursor.
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 5; pages++) {
      const page = await searchUsers(actor, { q: marker, limit: 2, cursor });
      if (!page.ok) throw new Error('page failed');
      seen.push(...page.page.items.map((user) => user.id));
      if (!page.page.nextCursor) break;
      cursor = page.page.nextCursor;
    }
    expect(seen).toEqual([d.id, c.id, b.id, a.id]);
  });

  it('matches the text literally: % and _ are not wildcards', async () => {
    const actor = consoleActor((await newAdmin()).id);
    const underscore = await newAccount('wild', { name: 'Under_Score Person' });
    await newAccount('wild', { name: 'UnderXScore Person' });
    const found = await searchUsers(actor, { q: 'under_score' });
    expect(found.ok && found.page.items.map((user) => user.id)).toEqual([underscore.id]);
    const percent = await searchUsers(actor, { q: '%' });
    expect(percent.ok && percent.page.items).toEqual([]);
  });

  it('refuses a cursor it did not give out', async () => {
    const actor = consoleActor((await newAdmin()).id);
    for (const cursor of ['nope', '!!!', Buffer.from('123.not-a-uuid').toString('base64url'), 'x'.repeat(300)]) {
      expect(await searchUsers(actor, { cursor })).toEqual({ ok: false, error: 'invalid_cursor' });
    }
  });
});

describe('userDetail, userSessions and userAuditEvents', () => {
  it('shows the profile, second factors (TOTP, passkeys with nicknames, recovery codes left), connected apps and sessions', async () => {
    const actor = consoleActor((await newAdmin()).id);
    const user = await newAccount('detail');
    await withTotp(user);
    await registerPasskey(user, newAuthenticator(), { nickname: 'Work laptop' });
    await generateRecoveryCodes(user.id, testContext());
    await trustBrowser(user.id, testContext());
    await addConsentScopes(user.id, app.client.id, ['openid', 'email']);
    const phone = await signedIn(user.id, ['pwd', 'otp', 'mfa'], 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1');

    const result = await userDetail(actor, user.id.toUpperCase());
    if (!result.ok) throw new Error('detail failed');
    expect(result.detail.user).toMatchObject({ id: user.id, email: user.email, isAdmin: false, status: 'active', emailVerified: false });
    expect(result.detail.mfa).toMatchObject({ totp: { status: 'confirmed' }, recoveryCodesRemaining: 10, rememberedBrowsers: 1, required: false });
    expect(result.detail.mfa.passkeys.map((passkey) => passkey.nickname)).toEqual(['Work laptop']);
    expect(JSON.stringify(result.detail)).not.toMatch(/secret|publicKey|codeHash/i);
    expect(result.detail.consents).toEqual([expect.objectContaining({ clientId: app.client.id, name: 'Test app', scopes: ['openid', 'email'] })]);

    const sessions = await userSessions(actor, user.id);
    if (!sessions.ok) throw new Error('sessions failed');
    expect(sessions.sessions).toEqual([
      expect.objectContaining({ id: phone.sessionId, browser: 'Safari', os: 'iOS', ip: '198.51.100.7', amr: ['pwd', 'otp', 'mfa'], methods: 'Password and one-time code (two-step)' }),
    ]);
  });

  it('answers not found for unknown users and for anything that is not a UUID', async () => {
    const actor = consoleActor((await newAdmin()).id);
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid', '', 42, null, { id: 'x' }, "' OR 1=1 --"]) {
      expect(await userDetail(actor, id)).toEqual({ ok: false, error: 'user_not_found' });
      expect(await userSessions(actor, id)).toEqual({ ok: false, error: 'user_not_found' });
      expect(await userAuditEvents(actor, id)).toEqual({ ok: false, error: 'user_not_found' });
    }
  });

  it('lists what the user did and what was done to them, newest first, with the actors named, page by page', async () => {
    const admin = await newAdmin();
    const key = await newApiKey(['users:write'], admin.id);
    const user = await newAccount('history');
    const stranger = await newAccount('stranger');
    await authenticate({ email: user.email, password: GOOD_PASSWORD }, testContext()); // actor: the user
    await signOutEverywhere(consoleActor(admin.id), user.id); // subject: the user, actor: the admin
    await grantAdmin({ kind: 'api_key', apiKeyId: key.id, context: testContext() }, user.id); // actor: the key
    await signOutEverywhere(consoleActor(admin.id), stranger.id); // not about this user

    const first = await userAuditEvents(consoleActor(admin.id), user.id, { limit: 2 });
    if (!first.ok) throw new Error('events failed');
    expect(first.page.items.map((event) => event.type)).toEqual(['user.admin_granted', 'user.signed_out_everywhere']);
    expect(first.page.items[0]!.actor).toEqual({ kind: 'api_key', id: key.id, name: 'test key users:write', prefix: key.prefix });
    expect(first.page.items[1]!.actor).toEqual({ kind: 'user', id: admin.id, email: admin.email });
    expect(first.page.nextCursor).not.toBeNull();

    const second = await userAuditEvents(consoleActor(admin.id), user.id, { limit: 2, cursor: first.page.nextCursor! });
    if (!second.ok) throw new Error('events failed');
    expect(second.page.items.map((event) => event.type)).toEqual(['auth.sign_in', 'user.created']);
    expect(second.page.items[0]!.actor).toEqual({ kind: 'user', id: user.id, email: user.email });
    expect(second.page.nextCursor).toBeNull();
    expect(await userAuditEvents(consoleActor(admin.id), user.id, { cursor: 'bogus!' })).toEqual({ ok: false, error: 'invalid_cursor' });
  });
});

describe('disableUser and enableUser', () => {
  it('disable ends every session, refuses the refresh token, makes access tokens inactive, blocks sign-in; audited with the actor', async () => {
    const admin = await newAdmin();
    const actor = consoleActor(admin.id);
    const user = await newAccount('disable');
    const browser = await signedIn(user.id);
    const tokens = await signIn(app, user);
    expect((await introspect(app, tokens.access_token)).body.active).toBe(true);

    const result = await disableUser(actor, user.id);
    expect(result).toMatchObject({ ok: true, changed: true, user: { status: 'disabled' }, ended: { sessionsEnded: 1, grantsRevoked: 1 } });

    expect(await validateSessionToken(browser.token, testContext())).toBeNull();
    const refused = await refresh(app, tokens.refresh_token!);
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe('invalid_grant');
    expect((await introspect(app, tokens.access_token)).body).toEqual({ active: false });
    expect(await authenticate({ email: user.email, password: GOOD_PASSWORD }, testContext())).toEqual({ ok: false, error: 'account_disabled' });

    expect(await eventsAbout(user.id, 'user.disabled')).toEqual([
      {
        actor_user_id: admin.id,
        actor_api_key_id: null,
        ip: '192.0.2.50',
        outcome: 'success',
        details: { changes: [{ field: 'disabled', before: false, after: true }], sessionsEnded: 1, grantsRevoked: 1, trustedDevicesForgotten: 0 },
      },
    ]);

    // Again: nothing changes, nothing is recorded.
    const before = await eventCount();
    expect(await disableUser(actor, user.id)).toMatchObject({ ok: true, changed: false });
    expect(await eventCount()).toBe(before);
  });

  it('enable lets the user sign in again; what disabling ended stays ended', async () => {
    const admin = await newAdmin();
    const key = await newApiKey(['users:write']);
    const user = await newAccount('enable');
    const tokens = await signIn(app, user);
    await disableUser(consoleActor(admin.id), user.id);

    const keyActor: AdminActor = { kind: 'api_key', apiKeyId: key.id, context: testContext({ ip: '192.0.2.99' }) };
    expect(await enableUser(keyActor, user.id)).toMatchObject({ ok: true, changed: true, user: { status: 'active', disabledAt: null } });
    expect((await authenticate({ email: user.email, password: GOOD_PASSWORD }, testContext())).ok).toBe(true);
    expect((await refresh(app, tokens.refresh_token!)).status).toBe(400);
    expect(await eventsAbout(user.id, 'user.enabled')).toEqual([
      { actor_user_id: null, actor_api_key_id: key.id, ip: '192.0.2.99', outcome: 'success', details: { changes: [{ field: 'disabled', before: true, after: false }] } },
    ]);
    expect(await enableUser(keyActor, user.id)).toMatchObject({ ok: true, changed: false });
    expect(await eventsAbout(user.id, 'user.enabled')).toHaveLength(1);
  });

  it('an administrator cannot disable themselves: 409, nothing written', async () => {
    const admin = await newAdmin();
    await newAdmin(); // not the last one: the refusal is about the self
    const session = await signedIn(admin.id);
    const before = await eventCount();
    expect(await disableUser(consoleActor(admin.id), admin.id.toUpperCase())).toEqual({ ok: false, error: 'cannot_disable_self' });
    expect(await eventCount()).toBe(before);
    expect(await validateSessionToken(session.token, testContext())).not.toBeNull();
  });

  it('the last enabled administrator cannot be disabled (by an API key either), a disabled one does not count', async () => {
    await database.sql('UPDATE users SET disabled_at = now() WHERE is_admin');
    const last = await newAdmin();
    const key = await newApiKey(['users:write']);
    const keyActor: AdminActor = { kind: 'api_key', apiKeyId: key.id, context: testContext() };
    const before = await eventCount();
    expect(await disableUser(keyActor, last.id)).toEqual({ ok: false, error: 'last_admin' });
    expect(await eventCount()).toBe(before);
    const [row] = await database.sql<{ disabled_at: Date | null }>('SELECT disabled_at FROM users WHERE id = $1', [last.id]);
    expect(row!.disabled_at).toBeNull();

    const second = await newAdmin();
    expect(await disableUser(keyActor, last.id)).toMatchObject({ ok: true, changed: true });
    expect(await disableUser(keyActor, second.id)).toEqual({ ok: false, error: 'last_admin' });
  });

  it('two concurrent disables of the last two administrators leave one enabled', async () => {
    await database.sql('UPDATE users SET disabled_at = now() WHERE is_admin');
    const one = await newAdmin();
    const two = await newAdmin();
    const keyActor: AdminActor = { kind: 'api_key', apiKeyId: (await newApiKey(['users:write'])).id, context: testContext() };
    const results = await Promise.all([disableUser(keyActor, one.id), disableUser(keyActor, two.id)]);
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(results.filter((result) => !result.ok)).toEqual([{ ok: false, error: 'last_admin' }]);
    const [row] = await database.sql<{ count: string }>('SELECT count(*) FROM users WHERE is_admin AND disabled_at IS NULL');
    expect(Number(row!.count)).toBe(1);
  });
});

describe('signOutEverywhere', () => {
  it('ends every session, grant and remembered browser of the user, and no one else’s; audited with the counts', async () => {
    const admin = await newAdmin();
    const user = await newAccount('everywhere');
    const laptop = await signedIn(user.id);
    const phone = await signedIn(user.id);
    const trusted = await trustBrowser(user.id, testContext());
    const tokens = await signIn(app, user);
    const stranger = await newAccount('bystander');
    const theirs = await signedIn(stranger.id);
    const theirTokens = await signIn(app, stranger);

    expect(await signOutEverywhere(consoleActor(admin.id), user.id)).toEqual({
      ok: true,
      ended: { sessionsEnded: 2, grantsRevoked: 1, trustedDevicesForgotten: 1 },
    });
    expect(await validateSessionToken(laptop.token, testContext())).toBeNull();
    expect(await validateSessionToken(phone.token, testContext())).toBeNull();
    expect(await isTrustedBrowser(user.id, trusted)).toBe(false);
    const refused = await refresh(app, tokens.refresh_token!);
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe('invalid_grant');
    expect((await introspect(app, tokens.access_token)).body).toEqual({ active: false });
    // The account itself still works.
    expect((await authenticate({ email: user.email, password: GOOD_PASSWORD }, testContext())).ok).toBe(true);

    expect(await validateSessionToken(theirs.token, testContext())).not.toBeNull();
    expect((await refresh(app, theirTokens.refresh_token!)).status).toBe(200);
    expect(await eventsAbout(user.id, 'user.signed_out_everywhere')).toEqual([
      { actor_user_id: admin.id, actor_api_key_id: null, ip: '192.0.2.50', outcome: 'success', details: { sessionsEnded: 2, grantsRevoked: 1, trustedDevicesForgotten: 1 } },
    ]);
  });

  it('ends a sign-in waiting for its second factor', async () => {
    const admin = await newAdmin();
    const user = await newAccount('pending');
    await database.sql(
      "INSERT INTO pending_logins (id_hash, user_id, purpose, amr, expires_at) VALUES (decode(md5(random()::text), 'hex'), $1, 'sign_in', '{pwd}', now() + interval '5 minutes')",
      [user.id],
    );
    await signOutEverywhere(consoleActor(admin.id), user.id);
    expect(await database.sql('SELECT 1 FROM pending_logins WHERE user_id = $1', [user.id])).toEqual([]);
  });
});

describe('resetUserMfa', () => {
  it('removes the authenticator app, passkeys, recovery codes and remembered browsers, ends sessions; the reason is audited', async () => {
    const admin = await newAdmin();
    const user = await newAccount('lost-phone');
    await withTotp(user);
    await registerPasskey(user, newAuthenticator(), { nickname: 'Old phone' });
    await generateRecoveryCodes(user.id, testContext());
    const trusted = await trustBrowser(user.id, testContext());
    const browser = await signedIn(user.id, ['pwd', 'otp', 'mfa']);
    const tokens = await signIn(app, user);

    const result = await resetUserMfa(consoleActor(admin.id), user.id, { reason: '  Lost their phone;\n verified by video call (ticket 4711)  ' });
    expect(result).toEqual({
      ok: true,
      removed: { totpRemoved: true, passkeysRemoved: 1, recoveryCodesRemoved: 10, trustedDevicesForgotten: 1, sessionsEnded: 1 },
    });
    const detail = await userDetail(consoleActor(admin.id), user.id);
    expect(detail.ok && detail.detail.mfa).toMatchObject({ totp: { status: 'none' }, passkeys: [], recoveryCodesRemaining: 0, rememberedBrowsers: 0 });
    expect(await database.sql('SELECT 1 FROM totp_factors WHERE user_id = $1 UNION ALL SELECT 1 FROM recovery_codes WHERE user_id = $1', [user.id])).toEqual([]);
    expect(await validateSessionToken(browser.token, testContext())).toBeNull();
    expect(await isTrustedBrowser(user.id, trusted)).toBe(false);
    // Apps keep their grants: the account was not compromised, a factor was lost.
    expect((await refresh(app, tokens.refresh_token!)).status).toBe(200);

    expect(await eventsAbout(user.id, 'user.mfa_reset')).toEqual([
      {
        actor_user_id: admin.id,
        actor_api_key_id: null,
        ip: '192.0.2.50',
        outcome: 'success',
        details: {
          reason: 'Lost their phone; verified by video call (ticket 4711)',
          totpRemoved: true,
          passkeysRemoved: 1,
          passkeys: ['Old phone'],
          recoveryRemoved: 10,
          trustedDevicesForgotten: 1,
          sessionsEnded: 1,
        },
      },
    ]);
  });

  it('requires a reason of 3 to 500 characters without control characters; nothing is removed otherwise', async () => {
    const admin = await newAdmin();
    const user = await newAccount('keep-mfa');
    await withTotp(user);
    const before = await eventCount();
    for (const input of [{}, { reason: '' }, { reason: '  a  ' }, { reason: 'x'.repeat(MFA_RESET_REASON.max + 1) }, { reason: ['lost phone'] }, { reason: 42 }, { reason: 'lost\u0000phone' }, { reason: 'lost\u202ephone' }, null, 'lost phone']) {
      const result = await resetUserMfa(consoleActor(admin.id), user.id, input);
      expect(result.ok, JSON.stringify(input)).toBe(false);
      if (!result.ok) expect(result.error).toBe('invalid_request');
      if (!result.ok && result.error === 'invalid_request') expect(Object.keys(result.fieldErrors).length).toBeGreaterThan(0);
    }
    expect(await eventCount()).toBe(before);
    const detail = await userDetail(consoleActor(admin.id), user.id);
    expect(detail.ok && detail.detail.mfa.totp.status).toBe('confirmed');
    expect((await resetUserMfa(consoleActor(admin.id), user.id, { reason: 'x'.repeat(200) })).ok).toBe(true);
  });
});

describe('grantAdmin and revokeAdmin', () => {
  it('grants and revokes the role, audited with before and after; a repeat records nothing', async () => {
    const admin = await newAdmin();
    const user = await newAccount('promote');
    expect(await grantAdmin(consoleActor(admin.id), user.id)).toMatchObject({ ok: true, changed: true, user: { isAdmin: true } });
    expect(await grantAdmin(consoleActor(admin.id), user.id)).toMatchObject({ ok: true, changed: false });
    expect(await revokeAdmin(consoleActor(admin.id), user.id)).toMatchObject({ ok: true, changed: true, user: { isAdmin: false } });
    expect(await revokeAdmin(consoleActor(admin.id), user.id)).toMatchObject({ ok: true, changed: false });
    expect((await eventsAbout(user.id, 'user.admin_granted')).map((event) => [event.actor_user_id, event.details])).toEqual([
      [admin.id, { changes: [{ field: 'isAdmin', before: false, after: true }] }],
    ]);
    expect((await eventsAbout(user.id, 'user.admin_revoked')).map((event) => [event.actor_user_id, event.details])).toEqual([
      [admin.id, { changes: [{ field: 'isAdmin', before: true, after: false }] }],
    ]);
  });

  it('an administrator cannot remove their own role; the last enabled administrator keeps it', async () => {
    await database.sql('UPDATE users SET disabled_at = now() WHERE is_admin');
    const admin = await newAdmin();
    const before = await eventCount();
    expect(await revokeAdmin(consoleActor(admin.id), admin.id)).toEqual({ ok: false, error: 'cannot_revoke_own_admin' });
    const keyActor: AdminActor = { kind: 'api_key', apiKeyId: (await newApiKey(['users:write'])).id, context: testContext() };
    expect(await revokeAdmin(keyActor, admin.id)).toEqual({ ok: false, error: 'last_admin' });
    expect(await eventCount()).toBe(before);
    const [row] = await database.sql<{ is_admin: boolean }>('SELECT is_admin FROM users WHERE id = $1', [admin.id]);
    expect(row!.is_admin).toBe(true);

    // A disabled administrator's role can go: the enabled one remains.
    const dormant = await newAdmin();
    await database.sql('UPDATE users SET disabled_at = now() WHERE id = $1', [dormant.id]);
    expect(await revokeAdmin(keyActor, dormant.id)).toMatchObject({ ok: true, changed: true });
  });

  it('refuses unknown and malformed ids with not found, writing nothing', async () => {
    const admin = await newAdmin();
    const actor = consoleActor(admin.id);
    const before = await eventCount();
    for (const id of ['00000000-0000-4000-8000-000000000000', 'nope', undefined, ['x'], "'; DROP TABLE users; --"]) {
      expect(await disableUser(actor, id)).toEqual({ ok: false, error: 'user_not_found' });
      expect(await enableUser(actor, id)).toEqual({ ok: false, error: 'user_not_found' });
      expect(await signOutEverywhere(actor, id)).toEqual({ ok: false, error: 'user_not_found' });
      expect(await resetUserMfa(actor, id, { reason: 'lost phone' })).toEqual({ ok: false, error: 'user_not_found' });
      expect(await grantAdmin(actor, id)).toEqual({ ok: false, error: 'user_not_found' });
      expect(await revokeAdmin(actor, id)).toEqual({ ok: false, error: 'user_not_found' });
      expect(await sendUserPasswordReset(actor, id)).toEqual({ ok: false, error: 'user_not_found' });
    }
    expect(await eventCount()).toBe(before);
  });
});

describe('sendUserPasswordReset', () => {
  it('emails the user a working reset link, audited with the administrator as actor', async () => {
    const admin = await newAdmin();
    const user = await newAccount('forgetful');
    expect(await sendUserPasswordReset(consoleActor(admin.id), user.id)).toEqual({ ok: true });
    const mail = await mailTo(user.email);
    expect(mail).toHaveLength(1);
    expect(mail[0]!.subject).toBe('Reset your password');
    expect(mail[0]!.text).toMatch(/\/reset-password#token=[A-Za-z0-9_-]{43}/);
    // The link works: it sets a new password.
    const reset = await resetPassword({ token: linkToken(mail[0]), password: 'a brand new passphrase 42' }, testContext());
    expect(reset.ok).toBe(true);
    expect(await eventsAbout(user.id, 'user.password_reset_requested')).toEqual([
      { actor_user_id: admin.id, actor_api_key_id: null, ip: '192.0.2.50', outcome: 'success', details: { via: 'admin' } },
    ]);
  });

  it('refuses a disabled account: the link would not work', async () => {
    const admin = await newAdmin();
    const user = await newAccount('disabled-reset');
    await disableUser(consoleActor(admin.id), user.id);
    expect(await sendUserPasswordReset(consoleActor(admin.id), user.id)).toEqual({ ok: false, error: 'user_disabled' });
    expect(await mailTo(user.email)).toEqual([]);
  });
});
