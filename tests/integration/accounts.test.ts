import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticate, createUser, disableUser } from '../../lib/auth/accounts';
import { createSession, validateSessionToken } from '../../lib/auth/sessions';
import { openTestDatabase, type TestDatabase } from '../support/database';
import { useTestConfig } from '../support/config';
import { GOOD_PASSWORD, testContext, uniqueEmail } from '../support/context';

let database: TestDatabase;
beforeAll(async () => {
  useTestConfig();
  database = await openTestDatabase();
});
afterAll(() => database.close());

async function counts() {
  const [row] = await database.sql<{ users: string; events: string; head: string }>(
    `SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM audit_events) AS events,
            (SELECT seq FROM audit_chain_head) AS head`,
  );
  return row!;
}

describe('sign-up', () => {
  it('stores a normalised email and an argon2id hash with OWASP parameters, never the password', async () => {
    const email = uniqueEmail('Mixed.Case');
    const result = await createUser({ email: `  ${email.toUpperCase()} `, password: GOOD_PASSWORD, name: 'Ada' }, testContext(), 'sign_up');
    expect(result).toMatchObject({ ok: true, user: { email: email.toLowerCase(), name: 'Ada', isAdmin: false } });
    const [row] = await database.sql<{ password_hash: string }>('SELECT password_hash FROM users WHERE email = $1', [
      email.toLowerCase(),
    ]);
    expect(row!.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const dump = JSON.stringify(await database.sql('SELECT * FROM users')) + JSON.stringify(await database.sql('SELECT * FROM audit_events'));
    expect(dump).not.toContain(GOOD_PASSWORD);
  });

  it('records user.created in the same transaction', async () => {
    const result = await createUser({ email: uniqueEmail(), password: GOOD_PASSWORD, name: 'Bo' }, testContext(), 'sign_up');
    if (!result.ok) throw new Error('sign-up failed');
    const events = await database.sql<{ type: string; outcome: string }>(
      'SELECT type, outcome FROM audit_events WHERE subject = $1',
      [result.user.id],
    );
    expect(events).toEqual([{ type: 'user.created', outcome: 'success' }]);
  });

  it('refuses a second account for the same address in another case, writing nothing', async () => {
    const email = uniqueEmail();
    await createUser({ email, password: GOOD_PASSWORD, name: 'One' }, testContext(), 'sign_up');
    const before = await counts();
    const again = await createUser({ email: email.toUpperCase(), password: GOOD_PASSWORD, name: 'Two' }, testContext(), 'sign_up');
    expect(again).toEqual({ ok: false, error: 'email_taken' });
    expect(await counts()).toEqual(before);
  });

  it.each([
    ['too short', 'short pass', 'at least 12'],
    ['too long', 'x'.repeat(129), 'at most 128'],
    ['common', 'password1234', 'too common'],
    ['common in another case', 'PASSWORD1234', 'too common'],
  ])('refuses a %s password and writes nothing', async (_label, password, message) => {
    const before = await counts();
    const result = await createUser({ email: uniqueEmail(), password, name: 'X' }, testContext(), 'sign_up');
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).toContain(message);
    expect(await counts()).toEqual(before);
  });

  it('refuses a password equal to the email', async () => {
    const email = uniqueEmail('samesame');
    const result = await createUser({ email, password: email, name: 'X' }, testContext(), 'sign_up');
    expect(result).toMatchObject({ ok: false, fieldErrors: { password: [expect.stringContaining('email')] } });
  });

  it.each([
    ['10 kB strings', { email: `${'a'.repeat(10_000)}@example.com`, password: 'p'.repeat(10_000), name: 'n'.repeat(10_000) }],
    ['SQL payloads', { email: "x' OR 1=1 --@example.com", password: GOOD_PASSWORD, name: "'; DROP TABLE users; --x\u0000" }],
    ['wrong types', { email: 42, password: ['a'], name: { $gt: '' } }],
    ['missing values', {}],
    ['homoglyph email', { email: 'аdmin@example.com', password: GOOD_PASSWORD, name: 'X' }],
    ['bidi override in the name', { email: uniqueEmail(), password: GOOD_PASSWORD, name: 'evil\u202Egnp.exe' }],
    ['lone surrogate password', { email: uniqueEmail(), password: `${GOOD_PASSWORD}\ud800`, name: 'X' }],
  ])('refuses %s with field errors and writes nothing', async (_label, input) => {
    const before = await counts();
    const result = await createUser(input as never, testContext(), 'sign_up');
    expect(result).toMatchObject({ ok: false, fieldErrors: expect.any(Object) });
    expect(await counts()).toEqual(before);
  });

  it('accepts HTML in a display name as plain text (escaping is the renderer’s job)', async () => {
    const result = await createUser({ email: uniqueEmail(), password: GOOD_PASSWORD, name: '<b>Eve</b>' }, testContext(), 'sign_up');
    expect(result).toMatchObject({ ok: true, user: { name: '<b>Eve</b>' } });
  });
});

describe('sign-in', () => {
  it('accepts the right password and audits the success', async () => {
    const email = uniqueEmail();
    await createUser({ email, password: GOOD_PASSWORD, name: 'Cy' }, testContext(), 'sign_up');
    const result = await authenticate({ email: email.toUpperCase(), password: GOOD_PASSWORD }, testContext());
    expect(result).toMatchObject({ ok: true, user: { email } });
    const [event] = await database.sql<{ outcome: string; details: unknown }>(
      "SELECT outcome, details FROM audit_events WHERE type = 'auth.sign_in' ORDER BY seq DESC LIMIT 1",
    );
    expect(event).toEqual({ outcome: 'success', details: { method: 'pwd' } });
  });

  it('gives the same answer for a wrong password and an unknown account, auditing the real reason', async () => {
    const email = uniqueEmail();
    await createUser({ email, password: GOOD_PASSWORD, name: 'Di' }, testContext(), 'sign_up');
    const wrong = await authenticate({ email, password: 'not the password at all' }, testContext());
    const unknown = await authenticate({ email: uniqueEmail('nobody'), password: GOOD_PASSWORD }, testContext());
    expect(wrong).toEqual({ ok: false, error: 'invalid_credentials' });
    expect(unknown).toEqual(wrong);
    const reasons = await database.sql<{ reason: string }>(
      "SELECT details->>'reason' AS reason FROM audit_events WHERE type = 'auth.sign_in' AND outcome = 'failure' ORDER BY seq DESC LIMIT 2",
    );
    expect(reasons.map((r) => r.reason).sort()).toEqual(['unknown_account', 'wrong_password']);
    const dump = JSON.stringify(await database.sql('SELECT * FROM audit_events'));
    expect(dump).not.toContain('not the password at all');
  });

  it('spends the same argon2 work on an unknown account as on a known one', async () => {
    const email = uniqueEmail();
    await createUser({ email, password: GOOD_PASSWORD, name: 'Ti' }, testContext(), 'sign_up');
    // CPU time of this process (argon2 runs on libuv's pool, inside it), not wall-clock time,
    // so that other load on the machine does not skew the comparison.
    const time = async (address: string) => {
      const started = process.cpuUsage();
      await authenticate({ email: address, password: 'a wrong password here' }, testContext());
      const used = process.cpuUsage(started);
      return used.user + used.system;
    };
    await time(uniqueEmail('warm')); // the dummy hash is computed once, on first use
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 7; i++) {
      known.push(await time(email));
      unknown.push(await time(uniqueEmail('ghost')));
    }
    // The fastest run of each is the least disturbed by GC and the in-process database.
    // argon2 (~20 ms of CPU) dominates both; without the dummy hash the unknown path costs ~1 ms.
    const ratio = Math.min(...unknown) / Math.min(...known);
    expect(ratio).toBeGreaterThan(0.4);
    expect(ratio).toBeLessThan(2.5);
  });

  it('refuses a disabled account even with the right password, and its sessions end at once', async () => {
    const email = uniqueEmail();
    const created = await createUser({ email, password: GOOD_PASSWORD, name: 'Ed' }, testContext(), 'sign_up');
    if (!created.ok) throw new Error('sign-up failed');
    const { token } = await createSession(created.user.id, ['pwd'], testContext());
    expect(await validateSessionToken(token, testContext())).not.toBeNull();

    expect(await disableUser(email, testContext(), null)).toEqual({ ok: true, userId: created.user.id });
    expect(await validateSessionToken(token, testContext())).toBeNull();
    const sessions = await database.sql('SELECT 1 FROM sessions WHERE user_id = $1', [created.user.id]);
    expect(sessions).toHaveLength(0);
    expect(await authenticate({ email, password: GOOD_PASSWORD }, testContext())).toEqual({
      ok: false,
      error: 'account_disabled',
    });
    expect(await authenticate({ email, password: 'wrong password, still generic' }, testContext())).toEqual({
      ok: false,
      error: 'invalid_credentials',
    });
    expect(await disableUser(uniqueEmail('missing'), testContext(), null)).toEqual({ ok: false, error: 'not_found' });
  });

  it.each([
    ['empty values', { email: '', password: '' }],
    ['a 10 kB password', { email: 'a@example.com', password: 'x'.repeat(10_000) }],
    ['non-string values', { email: ['a'], password: 7 }],
  ])('answers %s with field errors, without hashing or writing', async (_label, input) => {
    const before = await counts();
    const result = await authenticate(input, testContext());
    expect(result).toMatchObject({ ok: false, fieldErrors: expect.any(Object) });
    expect(await counts()).toEqual(before);
  });
});
