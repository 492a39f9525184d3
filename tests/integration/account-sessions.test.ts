import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as revokeRoute } from '../../app/api/account/sessions/revoke/route';
import { POST as revokeOthersRoute } from '../../app/api/account/sessions/revoke-others/route';
import { revokeOtherSessions, revokeSession, sessionsOf } from '../../lib/auth/account-sessions';
import { validateSessionToken } from '../../lib/auth/sessions';
import { useTestConfig } from '../support/config';
import { testContext } from '../support/context';
import { openTestDatabase, type TestDatabase } from '../support/database';
import { accountPost, accountUser, ACCOUNT_ISSUER, expectRefused, FIREFOX_WINDOWS, HOSTILE_BODIES, SAFARI_IPHONE, signedIn } from './account-support';

/**
 * The account's sessions (lib/auth/account-sessions.ts and /api/account/sessions/*): every live
 * session described in words, this one marked; signing out one or all others, which stops them
 * on their very next request; never another user's session.
 */

let database: TestDatabase;
beforeAll(async () => {
  useTestConfig({ OPTARE_ISSUER: ACCOUNT_ISSUER });
  database = await openTestDatabase();
});
afterAll(() => database.close());

async function revocations(userId: string) {
  return database.sql<{ subject: string; details: Record<string, unknown> }>(
    "SELECT subject, details FROM audit_events WHERE type = 'session.revoked' AND actor_user_id = $1 ORDER BY seq",
    [userId],
  );
}

describe('sessionsOf', () => {
  it('lists every live session with browser, OS, IP, times and methods in words, this one first and marked', async () => {
    const user = await accountUser();
    const phone = await signedIn(user.id, SAFARI_IPHONE, ['pwd', 'otp', 'mfa'], '198.51.100.9');
    const laptop = await signedIn(user.id, FIREFOX_WINDOWS, ['pwd'], '198.51.100.10');
    const stranger = await accountUser();
    await signedIn(stranger.id);

    const sessions = await sessionsOf({ id: laptop.sessionId, userId: user.id });
    expect(sessions.map((s) => s.id)).toEqual([laptop.sessionId, phone.sessionId]);
    expect(sessions[0]).toMatchObject({ browser: 'Firefox', os: 'Windows', ip: '198.51.100.10', methods: 'Password', current: true });
    expect(sessions[1]).toMatchObject({ browser: 'Safari', os: 'iOS', ip: '198.51.100.9', methods: 'Password and one-time code (two-step)', current: false });
    expect(sessions[1]!.createdAt).toBeInstanceOf(Date);
    expect(sessions[1]!.lastSeenAt).toBeInstanceOf(Date);
  });

  it('leaves out expired sessions', async () => {
    const user = await accountUser();
    const current = await signedIn(user.id);
    const old = await signedIn(user.id);
    await database.sql("UPDATE sessions SET idle_expires_at = now() - interval '1 minute' WHERE id = $1", [old.sessionId]);
    expect((await sessionsOf({ id: current.sessionId, userId: user.id })).map((s) => s.id)).toEqual([current.sessionId]);
  });
});

describe('revokeSession', () => {
  it('signs out another session: its very next request finds no session; audited with the reason', async () => {
    const user = await accountUser();
    const a = await signedIn(user.id);
    const b = await signedIn(user.id);
    expect(await validateSessionToken(b.token, testContext())).not.toBeNull();
    expect(await revokeSession({ id: a.sessionId, userId: user.id }, b.sessionId.toUpperCase(), testContext())).toEqual({ ok: true });
    expect(await validateSessionToken(b.token, testContext())).toBeNull();
    expect(await validateSessionToken(a.token, testContext())).not.toBeNull();
    expect(await revocations(user.id)).toEqual([{ subject: b.sessionId, details: { reason: 'signed_out_by_user' } }]);
  });

  it('refuses this session (that is sign-out), another user’s session and non-UUIDs, changing nothing', async () => {
    const user = await accountUser();
    const a = await signedIn(user.id);
    const stranger = await accountUser();
    const theirs = await signedIn(stranger.id);
    const holder = { id: a.sessionId, userId: user.id };
    expect(await revokeSession(holder, a.sessionId, testContext())).toEqual({ ok: false, error: 'current_session' });
    expect(await revokeSession(holder, theirs.sessionId, testContext())).toEqual({ ok: false, error: 'session_not_found' });
    for (const id of ['not-a-uuid', '', 42, null, undefined, { id: theirs.sessionId }, `${theirs.sessionId}x`, "' OR 1=1 --"]) {
      expect(await revokeSession(holder, id, testContext())).toEqual({ ok: false, error: 'session_not_found' });
    }
    expect(await validateSessionToken(a.token, testContext())).not.toBeNull();
    expect(await validateSessionToken(theirs.token, testContext())).not.toBeNull();
    expect(await revocations(user.id)).toEqual([]);
  });
});

describe('revokeOtherSessions', () => {
  it('signs out every other session of the user, keeps this one and other users’ sessions', async () => {
    const user = await accountUser();
    const a = await signedIn(user.id);
    const b = await signedIn(user.id);
    const c = await signedIn(user.id);
    const stranger = await accountUser();
    const theirs = await signedIn(stranger.id);
    expect(await revokeOtherSessions({ id: a.sessionId, userId: user.id }, testContext())).toBe(2);
    expect(await validateSessionToken(a.token, testContext())).not.toBeNull();
    expect(await validateSessionToken(b.token, testContext())).toBeNull();
    expect(await validateSessionToken(c.token, testContext())).toBeNull();
    expect(await validateSessionToken(theirs.token, testContext())).not.toBeNull();
    expect(await revocations(user.id)).toEqual([{ subject: user.id, details: { reason: 'other_sessions_signed_out_by_user', count: 2 } }]);
    expect(await revokeOtherSessions({ id: a.sessionId, userId: user.id }, testContext())).toBe(0);
  });
});

describe('POST /api/account/sessions/revoke and /revoke-others', () => {
  it('signs out the named session of the cookie’s user', async () => {
    const user = await accountUser();
    const a = await signedIn(user.id);
    const b = await signedIn(user.id);
    const response = await revokeRoute(accountPost('/api/account/sessions/revoke', JSON.stringify({ id: b.sessionId }), a.token));
    expect(response.status).toBe(200);
    expect(await validateSessionToken(b.token, testContext())).toBeNull();
    // The revoked session cannot act any more: its next request is refused.
    expect((await expectRefused(await revokeRoute(accountPost('/api/account/sessions/revoke', JSON.stringify({ id: a.sessionId }), b.token)), 401)).error).toBe('not_signed_in');
    expect(await validateSessionToken(a.token, testContext())).not.toBeNull();
  });

  it('answers 404 for another user’s session and 409 for this one', async () => {
    const user = await accountUser();
    const a = await signedIn(user.id);
    const stranger = await accountUser();
    const theirs = await signedIn(stranger.id);
    expect((await expectRefused(await revokeRoute(accountPost('/api/account/sessions/revoke', JSON.stringify({ id: theirs.sessionId }), a.token)), 404)).error).toBe('not_found');
    expect((await expectRefused(await revokeRoute(accountPost('/api/account/sessions/revoke', JSON.stringify({ id: a.sessionId }), a.token)), 409)).error).toBe('current_session');
    expect(await validateSessionToken(theirs.token, testContext())).not.toBeNull();
  });

  it('signs out all others and says how many', async () => {
    const user = await accountUser();
    const a = await signedIn(user.id);
    const b = await signedIn(user.id);
    const response = await revokeOthersRoute(accountPost('/api/account/sessions/revoke-others', '{}', a.token));
    expect(await response.json()).toEqual({ sessionsEnded: 1 });
    expect(await validateSessionToken(b.token, testContext())).toBeNull();
  });

  it('refuses requests without a session or from another site', async () => {
    const user = await accountUser();
    const a = await signedIn(user.id);
    const b = await signedIn(user.id);
    await expectRefused(await revokeRoute(accountPost('/api/account/sessions/revoke', JSON.stringify({ id: b.sessionId }))), 401);
    await expectRefused(await revokeOthersRoute(accountPost('/api/account/sessions/revoke-others', '{}')), 401);
    await expectRefused(await revokeRoute(accountPost('/api/account/sessions/revoke', JSON.stringify({ id: b.sessionId }), a.token, { origin: 'https://evil.example' })), 403);
    await expectRefused(await revokeOthersRoute(accountPost('/api/account/sessions/revoke-others', '{}', a.token, { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' })), 403);
    expect(await validateSessionToken(b.token, testContext())).not.toBeNull();
  });

  it.each(HOSTILE_BODIES)('refuses %s with a 4xx and signs nobody out', async (_label, body) => {
    const user = await accountUser();
    const a = await signedIn(user.id);
    const b = await signedIn(user.id);
    await expectRefused(await revokeRoute(accountPost('/api/account/sessions/revoke', body, a.token)));
    expect(await validateSessionToken(a.token, testContext())).not.toBeNull();
    expect(await validateSessionToken(b.token, testContext())).not.toBeNull();
  });
});
