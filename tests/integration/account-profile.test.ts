import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as profileRoute } from '../../app/api/account/profile/route';
import { profileOf, updateProfile } from '../../lib/auth/profile';
import { useTestConfig } from '../support/config';
import { testContext } from '../support/context';
import { openTestDatabase, type TestDatabase } from '../support/database';
import { accountPost, accountUser, ACCOUNT_ISSUER, expectRefused, HOSTILE_BODIES, signedIn } from './account-support';

/** The profile (lib/auth/profile.ts and POST /api/account/profile): the name, validated by the shared schema. */

let database: TestDatabase;
beforeAll(async () => {
  useTestConfig({ OPTARE_ISSUER: ACCOUNT_ISSUER });
  database = await openTestDatabase();
});
afterAll(() => database.close());

describe('updateProfile', () => {
  it('saves a trimmed, NFC-normalised name and audits it', async () => {
    const user = await accountUser();
    expect(await updateProfile(user.id, { name: '  Ame\u0301lie  ' }, testContext())).toEqual({ ok: true, name: 'Amélie' });
    expect(await profileOf(user.id)).toMatchObject({ name: 'Amélie', email: user.email });
    expect((await profileOf(user.id))!.createdAt).toBeInstanceOf(Date);
    const events = await database.sql("SELECT details FROM audit_events WHERE type = 'user.profile_updated' AND actor_user_id = $1", [user.id]);
    expect(events).toEqual([{ details: { fields: ['name'] } }]);
  });

  it.each([
    ['empty', ''],
    ['blank', '   '],
    ['too long', 'x'.repeat(101)],
    ['invisible characters', 'Ada\u200bLovelace'],
    ['control characters', 'Ada\u0000'],
    ['a number', 42],
    ['missing', undefined],
  ])('refuses %s and keeps the old name', async (_label, name) => {
    const user = await accountUser();
    const result = await updateProfile(user.id, { name }, testContext());
    expect('fieldErrors' in result && result.fieldErrors.name?.length).toBeTruthy();
    expect((await profileOf(user.id))!.name).toBe('Acco Unt');
  });
});

describe('POST /api/account/profile', () => {
  it('renames the cookie’s user', async () => {
    const user = await accountUser();
    const browser = await signedIn(user.id);
    const response = await profileRoute(accountPost('/api/account/profile', JSON.stringify({ name: 'Grace Hopper', id: 'ignored' }), browser.token));
    expect(await response.json()).toEqual({ name: 'Grace Hopper' });
    expect((await profileOf(user.id))!.name).toBe('Grace Hopper');
  });

  it('refuses without a session and from another site', async () => {
    const user = await accountUser();
    const browser = await signedIn(user.id);
    await expectRefused(await profileRoute(accountPost('/api/account/profile', JSON.stringify({ name: 'Mallory' }))), 401);
    await expectRefused(await profileRoute(accountPost('/api/account/profile', JSON.stringify({ name: 'Mallory' }), browser.token, { origin: 'https://evil.example' })), 403);
    expect((await profileOf(user.id))!.name).toBe('Acco Unt');
  });

  it('stores markup in a name as text (pages escape it), never interpreting it', async () => {
    const user = await accountUser();
    const browser = await signedIn(user.id);
    const response = await profileRoute(accountPost('/api/account/profile', JSON.stringify({ name: '<b>Bold</b>' }), browser.token));
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ name: '<b>Bold</b>' });
  });

  // A name may contain "<script>" as text; every other hostile body is refused.
  it.each(HOSTILE_BODIES.filter(([label]) => label !== 'a script'))('refuses %s with a 4xx and keeps the name', async (_label, body) => {
    const user = await accountUser();
    const browser = await signedIn(user.id);
    await expectRefused(await profileRoute(accountPost('/api/account/profile', body, browser.token)));
    expect((await profileOf(user.id))!.name).toBe('Acco Unt');
  });
});
