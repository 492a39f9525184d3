import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticate } from '../../lib/auth/accounts';
import { ACTIVITY_PAGE_SIZE, describeEvent, parseActivityCursor, securityActivity } from '../../lib/audit/activity';
import { recordAuditEvent } from '../../lib/audit/record';
import { updateProfile } from '../../lib/auth/profile';
import { useTestConfig } from '../support/config';
import { GOOD_PASSWORD, testContext } from '../support/context';
import { openTestDatabase, type TestDatabase } from '../support/database';
import { accountUser, ACCOUNT_ISSUER, FIREFOX_WINDOWS } from './account-support';

/**
 * Security activity (lib/audit/activity.ts): the user's own audit events in plain words, newest
 * first, paginated by a seq cursor; never another user's events, whatever the cursor.
 */

let database: TestDatabase;
beforeAll(async () => {
  useTestConfig({ OPTARE_ISSUER: ACCOUNT_ISSUER });
  database = await openTestDatabase();
});
afterAll(() => database.close());

async function renameTimes(userId: string, count: number) {
  for (let i = 0; i < count; i++) expect((await updateProfile(userId, { name: `Name ${i}` }, testContext())).ok).toBe(true);
}

describe('securityActivity', () => {
  it('shows sign-ins and failures in words with IP and device, newest first', async () => {
    const user = await accountUser('activity');
    const context = testContext({ ip: '198.51.100.33', userAgent: FIREFOX_WINDOWS });
    expect((await authenticate({ email: user.email, password: 'definitely the wrong one' }, context)).ok).toBe(false);
    expect((await authenticate({ email: user.email, password: GOOD_PASSWORD }, context)).ok).toBe(true);
    const { items } = await securityActivity(user.id, undefined);
    expect(items.slice(0, 3).map((item) => [item.title, item.detail, item.failed])).toEqual([
      ['Signed in', 'With your password.', false],
      ['Failed sign-in attempt', 'Reason: wrong password.', true],
      ['Account created', null, false],
    ]);
    expect(items[0]).toMatchObject({ ip: '198.51.100.33', device: 'Firefox on Windows' });
  });

  it('pages through the user’s events with the cursor, none twice, none missing, then stops', async () => {
    const user = await accountUser('activity');
    await renameTimes(user.id, ACTIVITY_PAGE_SIZE + 4);
    const first = await securityActivity(user.id, undefined);
    expect(first.items).toHaveLength(ACTIVITY_PAGE_SIZE);
    expect(first.nextCursor).toBe(first.items.at(-1)!.seq);
    const second = await securityActivity(user.id, first.nextCursor);
    expect(second.items).toHaveLength(5); // 4 more renames and the sign-up
    expect(second.nextCursor).toBeNull();
    const seqs = [...first.items, ...second.items].map((item) => BigInt(item.seq));
    expect(seqs).toEqual([...seqs].sort((a, b) => (a > b ? -1 : 1)));
    expect(new Set(seqs).size).toBe(seqs.length);
    const all = await database.sql<{ seq: string }>('SELECT e.seq::text AS seq FROM audit_events e WHERE e.actor_user_id = $1 ORDER BY e.seq DESC', [user.id]);
    expect(seqs.map(String)).toEqual(all.map((row) => row.seq));
  });

  it('never shows another user’s events, whatever the cursor', async () => {
    const me = await accountUser('activity');
    const stranger = await accountUser('activity');
    await renameTimes(stranger.id, 3);
    await recordAuditEvent({ type: 'auth.sign_in', outcome: 'failure', actorUserId: stranger.id, subject: stranger.id, details: { method: 'pwd', reason: 'wrong_password' }, context: testContext() });
    const strangerSeqs = (await database.sql<{ seq: string }>('SELECT seq::text FROM audit_events WHERE actor_user_id = $1', [stranger.id])).map((row) => row.seq);
    const mine = (await database.sql<{ seq: string }>('SELECT seq::text FROM audit_events WHERE actor_user_id = $1', [me.id])).map((row) => row.seq);
    for (const cursor of [undefined, '9223372036854775807', ...strangerSeqs]) {
      const page = await securityActivity(me.id, cursor);
      for (const item of page.items) expect(mine).toContain(item.seq);
      for (const item of page.items) expect(strangerSeqs).not.toContain(item.seq);
    }
  });

  it('treats malformed cursors as the first page', async () => {
    const user = await accountUser('activity');
    const first = await securityActivity(user.id, undefined);
    for (const cursor of ['abc', '-1', '0', '1e3', '99999999999999999999', ['1'], 42, "1' OR 1=1", '']) {
      expect(parseActivityCursor(cursor)).toBeNull();
      expect(await securityActivity(user.id, cursor)).toEqual(first);
    }
    expect(parseActivityCursor('123')).toBe(123n);
  });
});

describe('describeEvent', () => {
  it.each([
    ['user.password_changed', 'success', { sessionsEnded: 2 }, 'Password changed', '2 other sessions were signed out, and apps must sign in again.'],
    ['user.password_changed', 'failure', { reason: 'wrong_password' }, 'Password change refused', 'Reason: wrong password.'],
    ['session.revoked', 'success', { reason: 'signed_out_by_user' }, 'Signed out a session', 'Because you signed it out from the sessions page.'],
    ['mfa.totp_enrolled', 'success', {}, 'Authenticator app added', null],
    ['auth.factor_verified', 'failure', { method: 'totp' }, 'Wrong second step', 'A one-time code was refused.'],
    ['consent.revoked', 'success', {}, 'Disconnected an app', null],
    ['security.rate_limited', 'success', {}, 'Too many attempts: further tries were blocked for a while', null],
  ])('%s (%s) reads as words', (type, outcome, details, title, detail) => {
    const words = describeEvent(type, outcome === 'failure', details);
    expect(words.title).toBe(title);
    expect(words.detail ?? null).toBe(detail);
  });
});
