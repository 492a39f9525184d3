import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticate, createUser } from '../../lib/auth/accounts';
import { RUNTIME_SETTING_KEYS } from '../../lib/settings/schema';
import { openTestDatabase, type TestDatabase } from '../support/database';
import { useTestConfig } from '../support/config';
import { GOOD_PASSWORD, testContext, uniqueEmail } from '../support/context';

/**
 * ASVS 6.2.10 (no periodic password rotation) and 6.4.2 (no password hints or secret questions),
 * checked where they would have to live: the database's columns, the runtime settings, and the
 * sign-in of a password set years ago.
 */

let database: TestDatabase;
beforeAll(async () => {
  useTestConfig();
  database = await openTestDatabase();
});
afterAll(() => database.close());

/** Every column of Optare's tables, as `table.column`. */
async function columns(): Promise<string[]> {
  const rows = await database.sql<{ name: string }>(
    `SELECT table_name || '.' || column_name AS name FROM information_schema.columns
      WHERE table_schema = current_schema() ORDER BY 1`,
  );
  return rows.map((row) => row.name);
}

describe('password expiry and hints', () => {
  it('no table has a password expiry, rotation or last-changed column', async () => {
    const all = await columns();
    expect(all).toContain('users.password_hash'); // the query sees Optare's tables
    expect(all.filter((name) => /passw|pwd/.test(name) && /expir|rotat|change|age|valid|until|due|last/.test(name))).toEqual([]);
    expect(all.filter((name) => /must_change|force_change|change_required|reset_required/.test(name))).toEqual([]);
  });

  it('no table has a password hint, secret question or secret answer column', async () => {
    const all = await columns();
    expect(all.length).toBeGreaterThan(20);
    expect(all.filter((name) => /hint|question|answer|reminder|mother|maiden|memorable/.test(name))).toEqual([]);
  });

  it('no runtime setting makes passwords expire', () => {
    expect(RUNTIME_SETTING_KEYS).toContain('passwordMinLength');
    expect(RUNTIME_SETTING_KEYS.filter((key) => /expir|rotat|maxAge|history|change/i.test(key) && /password/i.test(key))).toEqual([]);
  });

  it('a password set five years ago still signs in, with nothing asking to change it', async () => {
    const email = uniqueEmail('old-password');
    const created = await createUser({ email, password: GOOD_PASSWORD, name: 'Old' }, testContext(), 'cli');
    if (!created.ok) throw new Error('user creation failed');
    const fiveYearsAgo = new Date(Date.now() - 5 * 365 * 86_400_000);
    await database.sql('UPDATE users SET created_at = $1, updated_at = $1 WHERE id = $2', [fiveYearsAgo, created.user.id]);
    const result = await authenticate({ email, password: GOOD_PASSWORD }, testContext());
    expect(result).toEqual({ ok: true, user: { id: created.user.id, email, name: 'Old', isAdmin: false } });
  });

  it('sign-up ignores a password hint or secret question sent along, and stores none', async () => {
    const email = uniqueEmail('hint');
    const input = { email, password: GOOD_PASSWORD, name: 'Hinted', passwordHint: 'my horse', securityQuestion: 'First pet?', securityAnswer: 'Rex' };
    const created = await createUser(input, testContext(), 'cli');
    expect(created.ok).toBe(true);
    const [row] = await database.sql('SELECT * FROM users WHERE email = $1', [email]);
    expect(JSON.stringify(row)).not.toMatch(/my horse|First pet|Rex/);
  });
});
