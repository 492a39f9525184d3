/**
 * ASVS 6.1.2: a new password may not contain the service's own names (context-specific words):
 * "optare", the issuer's host name and its labels, and the TOTP issuer name that authenticator
 * apps show. Checked at sign-up, password change and reset (the same helper); the browser checks
 * "optare" with the shared schema.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../lib/auth/accounts';
import { createSession } from '../../lib/auth/sessions';
import { changePassword } from '../../lib/auth/password-change';
import { CONTEXT_WORD_MESSAGE } from '../../lib/validation/account';
import { useTestConfig } from '../support/config';
import { GOOD_PASSWORD, testContext, uniqueEmail } from '../support/context';
import { openTestDatabase, type TestDatabase } from '../support/database';

let database: TestDatabase;

beforeAll(async () => {
  useTestConfig({ OPTARE_ISSUER: 'https://login.acme-corp.example', OPTARE_TOTP_ISSUER: 'Acme Identity' });
  database = await openTestDatabase();
});

afterAll(async () => {
  await database.close();
});

async function userCount(): Promise<number> {
  const [row] = await database.sql<{ count: string }>('SELECT count(*)::text AS count FROM users');
  return Number(row!.count);
}

const signUp = (password: string) => createUser({ email: uniqueEmail('words'), password, name: 'Ada' }, testContext(), 'sign_up');

describe('password context words: sign-up', () => {
  it.each([
    ['the product name', 'my OPTARE password 2026'],
    ['the issuer host name', 'login.acme-corp.example!!'],
    ['a label of the issuer host', 'welcome to Acme-Corp 99'],
    ['the TOTP issuer name', 'acme identity is great'],
  ])('refuses a password containing %s, and creates no account', async (_label, password) => {
    const before = await userCount();
    const result = await signUp(password);
    expect(result).toEqual({ ok: false, fieldErrors: { password: [CONTEXT_WORD_MESSAGE] } });
    expect(await userCount()).toBe(before);
  });

  it('accepts a password free of them', async () => {
    expect((await signUp(GOOD_PASSWORD)).ok).toBe(true);
  });
});

describe('password context words: password change', () => {
  it('refuses a new password containing a context word and keeps the old one', async () => {
    const created = await signUp(GOOD_PASSWORD);
    if (!created.ok) throw new Error('sign-up failed');
    const { sessionId } = await createSession(created.user.id, ['pwd'], testContext());
    const session = { id: sessionId, userId: created.user.id };
    const refused = await changePassword(session, { currentPassword: GOOD_PASSWORD, newPassword: 'acme-corp forever and ever' }, testContext());
    expect(refused).toEqual({ ok: false, fieldErrors: { newPassword: [CONTEXT_WORD_MESSAGE] } });
    const accepted = await changePassword(session, { currentPassword: GOOD_PASSWORD, newPassword: 'tangerine lighthouse ferry 42' }, testContext());
    expect(accepted.ok).toBe(true);
  });
});
