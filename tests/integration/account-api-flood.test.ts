import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as updateProfile } from '../../app/api/account/profile/route';
import { POST as removeTrustedDevice } from '../../app/api/account/trusted-devices/remove/route';
import { profileOf } from '../../lib/auth/profile';
import { useTestConfig } from '../support/config';
import { openTestDatabase, type TestDatabase } from '../support/database';
import { ACCOUNT_ISSUER, accountPost, accountUser, signedIn } from './account-support';

/**
 * The account API's writes (profile, sessions, apps, factors, deletion) on behalf of a stolen or
 * scripted session: one user's changes are counted together, whatever the endpoint or session
 * (OPTARE_RATE_LIMIT_ACCOUNT_WRITES, ASVS 2.4.1), and refused before anything is read or changed.
 */

const LIMIT = 3;
let database: TestDatabase;
beforeAll(async () => {
  useTestConfig({ OPTARE_ISSUER: ACCOUNT_ISSUER, OPTARE_RATE_LIMIT_ACCOUNT_WRITES: `${LIMIT}/1m` });
  database = await openTestDatabase();
});
afterAll(() => database.close());

const rename = (name: string, token?: string) => updateProfile(accountPost('/api/account/profile', JSON.stringify({ name }), token));

describe('account API flood', () => {
  it('answers 429 with Retry-After past the per-user limit on every endpoint and session of that user, changing nothing; other users unaffected; audited once', async () => {
    const user = await accountUser('flood');
    const browser = await signedIn(user.id);
    const phone = await signedIn(user.id, undefined, ['pwd'], '198.51.100.40');
    for (let i = 1; i <= LIMIT; i++) expect((await rename(`Name ${i}`, browser.token)).status).toBe(200);
    expect((await profileOf(user.id))?.name).toBe(`Name ${LIMIT}`);

    const refusals = [
      await rename('Scripted', browser.token),
      await rename('Scripted', phone.token),
      await removeTrustedDevice(accountPost('/api/account/trusted-devices/remove', JSON.stringify({ id: crypto.randomUUID() }), browser.token)),
    ];
    for (const refused of refusals) {
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
      expect(await refused.json()).toMatchObject({ error: 'rate_limited', message: expect.stringContaining('Try again in') });
    }
    expect((await profileOf(user.id))?.name).toBe(`Name ${LIMIT}`);
    const audited = await database.sql("SELECT 1 FROM audit_events WHERE type = 'security.rate_limited' AND details->>'limit' = 'accountWrites'");
    expect(audited).toHaveLength(1);

    const other = await accountUser('flood-other');
    const otherBrowser = await signedIn(other.id);
    expect((await rename('Still allowed', otherBrowser.token)).status).toBe(200);
    expect((await profileOf(other.id))?.name).toBe('Still allowed');
  });

});
