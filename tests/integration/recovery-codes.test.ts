import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../lib/auth/accounts';
import {
  generateRecoveryCodes,
  hasRecoveryCodes,
  remainingRecoveryCodes,
  redeemRecoveryCode,
} from '../../lib/auth/recovery-codes';
import { openTestDatabase, type TestDatabase } from '../support/database';
import { useTestConfig } from '../support/config';
import { GOOD_PASSWORD, testContext, uniqueEmail } from '../support/context';

let database: TestDatabase;
beforeAll(async () => {
  useTestConfig();
  database = await openTestDatabase();
});
afterAll(() => database.close());

async function newUser() {
  const result = await createUser({ email: uniqueEmail('recovery'), password: GOOD_PASSWORD, name: 'R' }, testContext(), 'sign_up');
  if (!result.ok) throw new Error('sign-up failed');
  return result.user;
}

async function userWithCodes() {
  const user = await newUser();
  const codes = await generateRecoveryCodes(user.id, testContext());
  return { user, codes };
}

async function mfaEvents(userId: string) {
  return database.sql<{ type: string; outcome: string; details: Record<string, unknown> }>(
    `SELECT type, outcome, details FROM audit_events
      WHERE subject = $1 AND type IN ('auth.factor_verified', 'mfa.recovery_codes_generated', 'mfa.recovery_code_used')
      ORDER BY seq`,
    [userId],
  );
}

const FORMAT = /^[0-9a-hjkmnp-tv-z]{4}(-[0-9a-hjkmnp-tv-z]{4}){5}$/;

describe('recovery codes', () => {
  it('makes 10 distinct 120-bit codes in the xxxx-xxxx-xxxx-xxxx-xxxx-xxxx format', async () => {
    const { codes } = await userWithCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(FORMAT);
  });

  it('stores only the SHA-256 of each code, never the codes', async () => {
    const { user, codes } = await userWithCodes();
    const rows = await database.sql<{ code_hash: string; used_at: Date | null }>(
      'SELECT code_hash, used_at FROM recovery_codes WHERE user_id = $1',
      [user.id],
    );
    expect(rows).toHaveLength(10);
    expect(new Set(rows.map((row) => row.code_hash)).size).toBe(10);
    const expected = codes.map((code) => createHash('sha256').update(code.replaceAll('-', '')).digest('base64url'));
    expect(rows.map((row) => row.code_hash).sort()).toEqual(expected.sort());
    for (const row of rows) expect(row.used_at).toBeNull();
    const stored = JSON.stringify(rows).toLowerCase();
    for (const code of codes) {
      expect(stored).not.toContain(code);
      expect(stored).not.toContain(code.replaceAll('-', ''));
    }
  });

  it('each code works once, and the count of those left goes down to zero', async () => {
    const { user, codes } = await userWithCodes();
    expect(await remainingRecoveryCodes(user.id)).toBe(10);
    expect(await hasRecoveryCodes(user.id)).toBe(true);
    for (const [index, code] of codes.entries()) {
      expect(await redeemRecoveryCode(user.id, code, testContext()), `code ${index}`).toBe(true);
      expect(await redeemRecoveryCode(user.id, code, testContext()), `code ${index} again`).toBe(false);
      expect(await remainingRecoveryCodes(user.id)).toBe(9 - index);
    }
    expect(await hasRecoveryCodes(user.id)).toBe(false);
    const used = await database.sql('SELECT 1 FROM recovery_codes WHERE user_id = $1 AND used_at IS NOT NULL', [user.id]);
    expect(used).toHaveLength(10);
    const events = await mfaEvents(user.id);
    expect(events.filter((event) => event.type === 'mfa.recovery_code_used').map((event) => event.details.remaining)).toEqual([
      9, 8, 7, 6, 5, 4, 3, 2, 1, 0,
    ]);
    expect(events.filter((event) => event.type === 'auth.factor_verified')).toHaveLength(10);
  });

  it('reads a code in any case, with or without dashes and spaces', async () => {
    const { user, codes } = await userWithCodes();
    const compact = (code: string) => code.replaceAll('-', '');
    const variants = [
      codes[0]!.toUpperCase(),
      compact(codes[1]!),
      compact(codes[2]!).toUpperCase(),
      `  ${codes[3]!.replaceAll('-', ' ')}  `,
    ];
    for (const variant of variants) expect(await redeemRecoveryCode(user.id, variant, testContext()), variant).toBe(true);
    expect(await remainingRecoveryCodes(user.id)).toBe(6);
  });

  it('refuses codes of another user, wrong codes and malformed input without throwing', async () => {
    const { user } = await userWithCodes();
    const other = await userWithCodes();
    const malformed = ['', 'abcd', 'x'.repeat(10_240), '\u0000'.repeat(24), `${other.codes[0]!}\u0000`, `${other.codes[0]!}${' '.repeat(60)}`];
    const notStrings = [undefined, null, 42, [other.codes[0]!], { code: other.codes[0]! }];
    for (const input of [other.codes[0]!, '0000-0000-0000-0000-0000-0000', ...malformed, ...notStrings]) {
      await expect(redeemRecoveryCode(user.id, input, testContext())).resolves.toBe(false);
    }
    expect(await remainingRecoveryCodes(user.id)).toBe(10);
    expect(await remainingRecoveryCodes(other.user.id)).toBe(10);
    const failures = (await mfaEvents(user.id)).filter((event) => event.type === 'auth.factor_verified');
    expect(failures.map((event) => event.details.reason)).toEqual([
      'invalid_code', 'invalid_code', ...malformed.map(() => 'malformed'), ...notStrings.map(() => 'malformed'),
    ]);
  });

  it('a user without codes is refused', async () => {
    const user = await newUser();
    expect(await hasRecoveryCodes(user.id)).toBe(false);
    expect(await remainingRecoveryCodes(user.id)).toBe(0);
    expect(await redeemRecoveryCode(user.id, 'abcd-2345-wxyz-abcd-2345-wxyz', testContext())).toBe(false);
    expect(await mfaEvents(user.id)).toEqual([
      { type: 'auth.factor_verified', outcome: 'failure', details: { method: 'recovery_code', reason: 'invalid_code' } },
    ]);
  });

  it('regenerating replaces the whole set: old codes, used or not, stop working', async () => {
    const { user, codes: old } = await userWithCodes();
    expect(await redeemRecoveryCode(user.id, old[0]!, testContext())).toBe(true);
    const fresh = await generateRecoveryCodes(user.id, testContext());
    expect(fresh.filter((code) => old.includes(code))).toEqual([]);
    expect(await database.sql('SELECT 1 FROM recovery_codes WHERE user_id = $1', [user.id])).toHaveLength(10);
    expect(await remainingRecoveryCodes(user.id)).toBe(10);
    expect(await redeemRecoveryCode(user.id, old[1]!, testContext())).toBe(false);
    expect(await redeemRecoveryCode(user.id, fresh[0]!, testContext())).toBe(true);
    expect(await remainingRecoveryCodes(user.id)).toBe(9);
  });

  it('of concurrent uses of one code, exactly one succeeds', async () => {
    const { user, codes } = await userWithCodes();
    const results = await Promise.all(Array.from({ length: 4 }, () => redeemRecoveryCode(user.id, codes[0]!, testContext())));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await remainingRecoveryCodes(user.id)).toBe(9);
    const events = await mfaEvents(user.id);
    expect(events.filter((event) => event.type === 'mfa.recovery_code_used')).toEqual([
      { type: 'mfa.recovery_code_used', outcome: 'success', details: { remaining: 9 } },
    ]);
    const failures = events.filter((event) => event.type === 'auth.factor_verified');
    expect(failures.map((event) => event.details.reason)).toEqual(['invalid_code', 'invalid_code', 'invalid_code']);
  });

  it('of concurrent uses of two different codes, both succeed', async () => {
    const { user, codes } = await userWithCodes();
    const results = await Promise.all(codes.slice(0, 2).map((code) => redeemRecoveryCode(user.id, code, testContext())));
    expect(results).toEqual([true, true]);
    expect(await remainingRecoveryCodes(user.id)).toBe(8);
  });

  it('audits generation and use, with counts and never a code', async () => {
    const { user, codes } = await userWithCodes();
    await redeemRecoveryCode(user.id, codes[0]!, testContext());
    await redeemRecoveryCode(user.id, 'zzzz-zzzz-zzzz-zzzz-zzzz-zzzz', testContext());
    const regenerated = await generateRecoveryCodes(user.id, testContext());
    expect(await mfaEvents(user.id)).toEqual([
      { type: 'mfa.recovery_codes_generated', outcome: 'success', details: { count: 10 } },
      { type: 'mfa.recovery_code_used', outcome: 'success', details: { remaining: 9 } },
      { type: 'auth.factor_verified', outcome: 'failure', details: { method: 'recovery_code', reason: 'invalid_code' } },
      { type: 'mfa.recovery_codes_generated', outcome: 'success', details: { count: 10 } },
    ]);
    const rows = await database.sql('SELECT * FROM audit_events WHERE subject = $1 OR actor_user_id::text = $1', [user.id]);
    const text = JSON.stringify(rows).toLowerCase();
    for (const code of [...codes, ...regenerated, 'zzzz-zzzz-zzzz-zzzz-zzzz-zzzz']) {
      expect(text).not.toContain(code);
      expect(text).not.toContain(code.replaceAll('-', ''));
    }
  });
});
