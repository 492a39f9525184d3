import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../lib/auth/accounts';
import { createSession, endSession, sessionCookie, validateSessionToken } from '../../lib/auth/sessions';
import { deleteExpiredSessions } from '../../lib/db/sessions';
import { sha256 } from '../../lib/crypto/hash';
import { openTestDatabase, type TestDatabase } from '../support/database';
import { useTestConfig } from '../support/config';
import { GOOD_PASSWORD, testContext, uniqueEmail } from '../support/context';

let database: TestDatabase;
let config: ReturnType<typeof useTestConfig>;
beforeAll(async () => {
  config = useTestConfig({ OPTARE_SESSION_IDLE_TIMEOUT: '30m', OPTARE_SESSION_MAX_AGE: '8h' });
  database = await openTestDatabase();
});
afterAll(() => database.close());

async function newUser() {
  const result = await createUser({ email: uniqueEmail(), password: GOOD_PASSWORD, name: 'S' }, testContext(), 'sign_up');
  if (!result.ok) throw new Error('sign-up failed');
  return result.user;
}

const MINUTE = 60_000;

describe('sessions', () => {
  it('gives the browser a 256-bit token and stores only its SHA-256 with the request facts', async () => {
    const user = await newUser();
    const { token, sessionId } = await createSession(user.id, ['pwd'], testContext({ ip: '198.51.100.4', userAgent: 'UA/1' }));
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    const [row] = await database.sql('SELECT * FROM sessions WHERE id = $1', [sessionId]);
    expect(JSON.stringify(row)).not.toContain(token);
    expect(Buffer.from(row!.token_hash)).toEqual(Buffer.from(sha256(token)));
    expect(row).toMatchObject({ user_id: user.id, ip: '198.51.100.4', user_agent: 'UA/1', amr: ['pwd'] });
    const idle = row!.idle_expires_at.getTime() - row!.created_at.getTime();
    const absolute = row!.absolute_expires_at.getTime() - row!.created_at.getTime();
    expect(Math.abs(idle - 30 * MINUTE)).toBeLessThan(2000);
    expect(Math.abs(absolute - 8 * 60 * MINUTE)).toBeLessThan(2000);
  });

  it('validates a live token and slides the idle expiry, never past the absolute one', async () => {
    const user = await newUser();
    const start = new Date();
    const { token, sessionId } = await createSession(user.id, ['pwd'], testContext(), start);
    const later = new Date(start.getTime() + 20 * MINUTE);
    const session = await validateSessionToken(token, testContext(), later);
    expect(session).toMatchObject({ id: sessionId, user: { id: user.id } });
    const [row] = await database.sql('SELECT idle_expires_at, last_seen_at FROM sessions WHERE id = $1', [sessionId]);
    expect(row!.idle_expires_at.getTime()).toBe(later.getTime() + 30 * MINUTE);
    expect(row!.last_seen_at.getTime()).toBe(later.getTime());
  });

  it.each([
    ['idle', 31 * MINUTE, 'idle_timeout'],
    ['absolute', 8 * 60 * MINUTE + 1, 'absolute_timeout'],
  ])('rejects and deletes a session past its %s expiry, and audits it', async (_label, after, reason) => {
    const user = await newUser();
    const start = new Date();
    const { token, sessionId } = await createSession(user.id, ['pwd'], testContext(), start);
    if (reason === 'absolute_timeout') {
      await database.sql("UPDATE sessions SET idle_expires_at = now() + interval '1 day' WHERE id = $1", [sessionId]);
    }
    expect(await validateSessionToken(token, testContext(), new Date(start.getTime() + after))).toBeNull();
    expect(await database.sql('SELECT 1 FROM sessions WHERE id = $1', [sessionId])).toHaveLength(0);
    const events = await database.sql<{ type: string; reason: string }>(
      "SELECT type, details->>'reason' AS reason FROM audit_events WHERE subject = $1",
      [sessionId],
    );
    expect(events).toEqual([{ type: 'session.expired', reason }]);
  });

  it('ignores malformed and unknown tokens', async () => {
    for (const token of [undefined, '', 'short', 'x'.repeat(43), "' OR 1=1 --", 'ä'.repeat(43)]) {
      expect(await validateSessionToken(token, testContext())).toBeNull();
    }
  });

  it('sign-out deletes the session, audits it, and the token stops working at once', async () => {
    const user = await newUser();
    const { token, sessionId } = await createSession(user.id, ['pwd'], testContext());
    expect(await endSession(token, testContext())).toBe(true);
    expect(await validateSessionToken(token, testContext())).toBeNull();
    expect(await endSession(token, testContext())).toBe(false);
    const events = await database.sql<{ type: string }>('SELECT type FROM audit_events WHERE subject = $1', [sessionId]);
    expect(events).toEqual([{ type: 'auth.sign_out' }]);
  });

  it('the clean-up deletes only expired sessions', async () => {
    const user = await newUser();
    const old = await createSession(user.id, ['pwd'], testContext(), new Date(Date.now() - 9 * 60 * MINUTE));
    const live = await createSession(user.id, ['pwd'], testContext());
    expect(await deleteExpiredSessions(new Date())).toBeGreaterThanOrEqual(1);
    expect(await database.sql('SELECT 1 FROM sessions WHERE id = $1', [old.sessionId])).toHaveLength(0);
    expect(await database.sql('SELECT 1 FROM sessions WHERE id = $1', [live.sessionId])).toHaveLength(1);
  });

  it('names the cookie __Host- with Secure over HTTPS, and drops both only on plain-HTTP localhost', () => {
    expect(config.secureCookies).toBe(false);
    expect(sessionCookie()).toEqual({
      name: 'optare_session',
      options: { httpOnly: true, secure: false, sameSite: 'lax', path: '/' },
    });
    useTestConfig({ OPTARE_ISSUER: 'https://id.example.com' });
    expect(sessionCookie()).toEqual({
      name: '__Host-optare_session',
      options: { httpOnly: true, secure: true, sameSite: 'lax', path: '/' },
    });
    useTestConfig({ OPTARE_ISSUER: 'http://id.example.com' });
    expect(sessionCookie().options.secure).toBe(true);
    config = useTestConfig({ OPTARE_SESSION_IDLE_TIMEOUT: '30m', OPTARE_SESSION_MAX_AGE: '8h' });
  });
});
