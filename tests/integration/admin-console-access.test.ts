import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { beginConsoleSession, checkConsoleAccess, endConsoleSession } from '../../lib/admin/console-access';
import { CONSOLE_CLIENT_ID, consoleRedirectUri, ensureConsoleClient } from '../../lib/admin/console-client';
import { completeSetup, firstRunSetupLink, setupAvailable } from '../../lib/admin/setup';
import { createUser } from '../../lib/auth/accounts';
import { createSession } from '../../lib/auth/sessions';
import { db } from '../../lib/db/client';
import { findEnabledClient } from '../../lib/oauth/clients/registration';
import { openTestDatabase, type TestDatabase } from '../support/database';
import { useTestConfig } from '../support/config';
import { GOOD_PASSWORD, testContext, uniqueEmail } from '../support/context';

let database: TestDatabase;
beforeAll(async () => {
  useTestConfig({ OPTARE_ADMIN_IDLE_TIMEOUT: '15m' });
  database = await openTestDatabase();
});
afterAll(() => database.close());

async function user(isAdmin: boolean) {
  const result = await createUser({ email: uniqueEmail('console'), password: GOOD_PASSWORD, name: 'C', isAdmin }, testContext(), 'cli');
  if (!result.ok) throw new Error('user creation failed');
  return result.user;
}

const MINUTE = 60_000;

async function deniedEvents(userId: string) {
  return db().auditEvent.findMany({ where: { type: 'admin.access_denied', actorUserId: userId }, orderBy: { seq: 'asc' } });
}

describe('admin console access', () => {
  it('lets in an administrator whose session passed two factors, once the console sign-in began', async () => {
    const admin = await user(true);
    const { sessionId } = await createSession(admin.id, ['pwd', 'otp', 'mfa'], testContext());
    expect(await checkConsoleAccess(sessionId, testContext())).toEqual({ ok: false, reason: 'signed_out' });
    expect(await beginConsoleSession(sessionId, testContext())).toBeNull();
    const access = await checkConsoleAccess(sessionId, testContext());
    expect(access.ok && access.admin).toMatchObject({ userId: admin.id, email: admin.email, sessionId, actor: { kind: 'user', userId: admin.id } });
  });

  it('refuses a user without the admin role and an administrator without a second factor, and audits it', async () => {
    const member = await user(false);
    const memberSession = await createSession(member.id, ['pwd', 'otp', 'mfa'], testContext());
    expect(await beginConsoleSession(memberSession.sessionId, testContext())).toBe('not_admin');
    const admin = await user(true);
    const oneFactor = await createSession(admin.id, ['pwd'], testContext());
    expect(await beginConsoleSession(oneFactor.sessionId, testContext())).toBe('mfa_required');
    // Even with the console's clock running (a cookie obtained some other way), each request checks again.
    await db().session.update({ where: { id: oneFactor.sessionId }, data: { consoleSeenAt: new Date() } });
    expect(await checkConsoleAccess(oneFactor.sessionId, testContext())).toEqual({ ok: false, reason: 'mfa_required' });
    expect((await deniedEvents(member.id)).map((event) => event.details)).toEqual([{ reason: 'not_admin' }]);
    expect((await deniedEvents(admin.id)).map((event) => event.details)).toEqual([{ reason: 'mfa_required' }, { reason: 'mfa_required' }]);
  });

  it('ends console access after the idle timeout, a lost role, a disabled account or an ended session', async () => {
    const admin = await user(true);
    const { sessionId } = await createSession(admin.id, ['pwd', 'hwk', 'mfa'], testContext());
    const start = new Date();
    await beginConsoleSession(sessionId, testContext(), start);
    expect((await checkConsoleAccess(sessionId, testContext(), new Date(start.getTime() + 14 * MINUTE))).ok).toBe(true);
    // Activity 14 minutes in moved the clock: 28 minutes after the start is 14 idle minutes.
    expect((await checkConsoleAccess(sessionId, testContext(), new Date(start.getTime() + 28 * MINUTE))).ok).toBe(true);
    expect(await checkConsoleAccess(sessionId, testContext(), new Date(start.getTime() + 44 * MINUTE))).toEqual({ ok: false, reason: 'idle' });
    // Once idle, the console needs a new sign-in even if time went backwards.
    expect(await checkConsoleAccess(sessionId, testContext(), start)).toEqual({ ok: false, reason: 'signed_out' });

    await beginConsoleSession(sessionId, testContext());
    await db().user.update({ where: { id: admin.id }, data: { isAdmin: false } });
    expect(await checkConsoleAccess(sessionId, testContext())).toEqual({ ok: false, reason: 'not_admin' });
    await db().user.update({ where: { id: admin.id }, data: { isAdmin: true, disabledAt: new Date() } });
    expect(await checkConsoleAccess(sessionId, testContext())).toEqual({ ok: false, reason: 'signed_out' });
    await db().user.update({ where: { id: admin.id }, data: { disabledAt: null } });
    await endConsoleSession(sessionId);
    expect(await checkConsoleAccess(sessionId, testContext())).toEqual({ ok: false, reason: 'signed_out' });
    await db().session.delete({ where: { id: sessionId } });
    expect(await beginConsoleSession(sessionId, testContext())).toBe('signed_out');
  });

  it('refuses ids that are not session ids without a query error', async () => {
    for (const id of [null, '', 'x', "1' OR '1'='1", 'a'.repeat(5000), '00000000-0000-0000-0000-000000000000']) {
      expect(await checkConsoleAccess(id, testContext())).toEqual({ ok: false, reason: 'signed_out' });
    }
  });

  it('registers the console as a first-party public client with PKCE, restored at every start', async () => {
    await ensureConsoleClient();
    await db().oAuthClient.update({ where: { id: CONSOLE_CLIENT_ID }, data: { enabled: false, redirectUris: ['https://evil.example/cb'] } });
    await ensureConsoleClient();
    const client = await findEnabledClient(CONSOLE_CLIENT_ID);
    expect(client).toMatchObject({
      type: 'public',
      tokenEndpointAuthMethod: 'none',
      requirePkce: true,
      firstParty: true,
      redirectUris: [consoleRedirectUri()],
      grantTypes: ['authorization_code'],
    });
  });
});

describe('first-run setup', () => {
  it('offers a one-time link while no administrator exists, and creates exactly one with it', async () => {
    await db().user.updateMany({ data: { isAdmin: false } });
    const link = await firstRunSetupLink('https://id.example.test');
    const token = new URLSearchParams(new URL(link!).hash.slice(1)).get('token')!;
    expect(await setupAvailable(token)).toBe(true);
    const stored = await db().adminSetupToken.findMany();
    expect(stored.some((row) => Buffer.from(row.tokenHash).toString('utf8').includes(token))).toBe(false);

    const invalid = await completeSetup({ token, email: 'not-an-email', password: GOOD_PASSWORD, name: 'A' }, testContext());
    expect(invalid).toMatchObject({ ok: false, fieldErrors: { email: expect.any(Array) } });
    // A form error gives the token back: the person can correct the form.
    expect(await setupAvailable(token)).toBe(true);

    const email = uniqueEmail('first-admin');
    const created = await completeSetup({ token, email, password: GOOD_PASSWORD, name: 'First Admin' }, testContext());
    expect(created.ok).toBe(true);
    expect(await db().user.findUnique({ where: { email } })).toMatchObject({ isAdmin: true });
    expect(await setupAvailable(token)).toBe(false);
    expect(await completeSetup({ token, email: uniqueEmail('again'), password: GOOD_PASSWORD, name: 'B' }, testContext())).toEqual({
      ok: false,
      error: 'admin_exists',
    });
    expect(await firstRunSetupLink('https://id.example.test')).toBeNull();
    expect(await db().auditEvent.count({ where: { type: 'admin.setup_completed' } })).toBe(1);
  });

  it('refuses expired, unknown and malformed tokens', async () => {
    await db().user.updateMany({ data: { isAdmin: false } });
    const link = await firstRunSetupLink('https://id.example.test', new Date(Date.now() - 61 * MINUTE));
    const expired = new URLSearchParams(new URL(link!).hash.slice(1)).get('token')!;
    for (const token of [expired, 'A'.repeat(43), 'short', 42, ['x'], null]) {
      expect(await setupAvailable(token)).toBe(false);
      expect(await completeSetup({ token, email: uniqueEmail('nope'), password: GOOD_PASSWORD }, testContext())).toEqual({ ok: false, error: 'invalid_token' });
    }
  });
});
