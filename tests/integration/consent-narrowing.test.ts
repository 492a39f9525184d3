import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as narrowRoute } from '../../app/api/account/apps/narrow/route';
import { addConsentScopes, findConsentScopes, replaceConsentScopes } from '../../lib/db/consents';
import { narrowConsent } from '../../lib/oauth/connected-apps';
import { testContext } from '../support/context';
import type { TestDatabase } from '../support/database';
import { accountPost, expectRefused, HOSTILE_BODIES, signedIn } from './account-support';
import { authorizeGet, authorizeParams, expectCode, expectHandle, signIn as signInBrowser } from './authorize-support';
import { introspect, newClient, newUser, openOAuthTestDatabase, refresh, signIn, type TestClient } from './token-endpoint.helpers';

/**
 * Narrowing a consent (ASVS 10.7.3; lib/oauth/connected-apps.ts narrowConsent and POST
 * /api/account/apps/narrow): the user takes scopes back from an app, never adds any. The grants
 * that hold a removed scope are revoked (refresh and access tokens), the others go on, the app's
 * next request for a removed scope shows the consent page again, and consent.narrowed records
 * the scopes before and after. Removing `openid` disconnects the app. Bad input writes nothing.
 */

let database: TestDatabase;
beforeAll(async () => {
  database = await openOAuthTestDatabase();
});
afterAll(() => database.close());

const ALL = ['openid', 'profile', 'email', 'offline_access'];
const KEPT = ['openid', 'profile', 'offline_access'];

/** A user who allowed `app` everything, holding a grant with every scope and one without `email`. */
async function connected(app: TestClient) {
  const user = await newUser();
  await addConsentScopes(user.id, app.client.id, ALL);
  const wide = await signIn(app, user);
  const narrow = await signIn(app, user, { scopes: ['openid', 'profile', 'offline_access'] });
  return { user, wide, narrow };
}

async function isActive(app: TestClient, accessToken: string): Promise<boolean> {
  return (await introspect(app, accessToken)).body.active === true;
}

async function eventsOf(type: string, userId: string) {
  return database.sql<{ subject: string; details: Record<string, unknown> }>('SELECT subject, details FROM audit_events WHERE type = $1 AND actor_user_id = $2 ORDER BY seq', [
    type,
    userId,
  ]);
}

async function revokedGrants(userId: string) {
  const [row] = await database.sql<{ count: number }>('SELECT count(*)::int AS count FROM grants WHERE user_id = $1 AND revoked_at IS NOT NULL', [userId]);
  return row!.count;
}

/** Nothing changed for the user: consent as allowed, no grant revoked, no narrowing recorded, tokens working. */
async function expectUntouched(app: TestClient, who: Awaited<ReturnType<typeof connected>>) {
  expect(await findConsentScopes(who.user.id, app.client.id)).toEqual(ALL);
  expect(await revokedGrants(who.user.id)).toBe(0);
  expect(await eventsOf('consent.narrowed', who.user.id)).toEqual([]);
  expect(await eventsOf('consent.revoked', who.user.id)).toEqual([]);
  expect(await isActive(app, who.wide.access_token)).toBe(true);
}

describe('narrowConsent', () => {
  it('keeps only the chosen scopes, revokes the grants holding a removed one and leaves the others working; audited with before and after', async () => {
    const app = await newClient();
    const who = await connected(app);

    expect(await narrowConsent(who.user.id, app.client.id, ['openid', 'profile', 'offline_access'], testContext())).toEqual({
      ok: true,
      outcome: 'narrowed',
      scopes: KEPT,
      grantsRevoked: 1,
    });
    expect(await findConsentScopes(who.user.id, app.client.id)).toEqual(KEPT);

    // The grant that held `email` is gone: its refresh token fails, its access token is inactive.
    const refused = await refresh(app, who.wide.refresh_token!);
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe('invalid_grant');
    expect(await isActive(app, who.wide.access_token)).toBe(false);

    // The grant within the kept scopes goes on, and cannot widen itself back.
    expect(await isActive(app, who.narrow.access_token)).toBe(true);
    const refreshed = await refresh(app, who.narrow.refresh_token!);
    expect(refreshed.status).toBe(200);
    expect(String(refreshed.body.scope).split(' ').sort()).toEqual([...KEPT].sort());
    const widened = await refresh(app, refreshed.body.refresh_token as string, undefined, { scope: 'openid email' });
    expect(widened.status).toBe(400);
    expect(widened.body.error).toBe('invalid_scope');

    expect(await eventsOf('consent.narrowed', who.user.id)).toEqual([
      { subject: app.client.id, details: { before: ALL, after: KEPT, grantsRevoked: 1 } },
    ]);
    expect(await eventsOf('grant.revoked', who.user.id)).toEqual([{ subject: app.client.id, details: { reason: 'consent_narrowed', count: 1 } }]);
  });

  it('the next authorization asking for a removed scope shows the consent page again; the kept scopes still skip it', async () => {
    const app = await newClient();
    const user = await newUser();
    await addConsentScopes(user.id, app.client.id, ['openid', 'profile', 'email']);
    const browser = await signInBrowser(user);
    expectCode(await authorizeGet(authorizeParams(app.client, { scope: 'openid email' }), browser.cookie));

    expect((await narrowConsent(user.id, app.client.id, ['openid', 'profile'], testContext())).ok).toBe(true);
    expectHandle(await authorizeGet(authorizeParams(app.client, { scope: 'openid email' }), browser.cookie), '/consent');
    expectCode(await authorizeGet(authorizeParams(app.client, { scope: 'openid profile' }), browser.cookie));
  });

  it.each([
    ['openid unchecked', ['profile', 'email', 'offline_access']],
    ['every scope unchecked', []],
  ])('removing openid disconnects the app (%s): consent deleted, every grant revoked, audited as consent.revoked', async (_label, keep) => {
    const app = await newClient();
    const who = await connected(app);
    expect(await narrowConsent(who.user.id, app.client.id, keep, testContext())).toEqual({ ok: true, outcome: 'disconnected', grantsRevoked: 2 });
    expect(await findConsentScopes(who.user.id, app.client.id)).toBeNull();
    for (const issued of [who.wide, who.narrow]) {
      expect((await refresh(app, issued.refresh_token!)).body.error).toBe('invalid_grant');
      expect(await isActive(app, issued.access_token)).toBe(false);
    }
    expect(await eventsOf('consent.revoked', who.user.id)).toEqual([{ subject: app.client.id, details: { grantsRevoked: 2 } }]);
    expect(await eventsOf('consent.narrowed', who.user.id)).toEqual([]);
  });

  it('keeping every scope (in any order, repeated) changes and records nothing', async () => {
    const app = await newClient();
    const who = await connected(app);
    expect(await narrowConsent(who.user.id, app.client.id, ['profile', 'openid', 'email', 'offline_access', 'email'], testContext())).toEqual({
      ok: true,
      outcome: 'unchanged',
      scopes: ALL,
    });
    await expectUntouched(app, who);
  });

  it.each<[string, unknown, string]>([
    ['adding a scope the app never had', ['openid', 'profile', 'address'], 'scope_not_granted'],
    ['an unknown scope', ['openid', 'admin'], 'scope_not_granted'],
    ['a scope with different case', ['OPENID', 'profile'], 'scope_not_granted'],
    ['not a list', 'openid profile', 'invalid_scopes'],
    ['no list', undefined, 'invalid_scopes'],
    ['a list with a non-string', ['openid', 42], 'invalid_scopes'],
    ['a list with an empty string', ['openid', ''], 'invalid_scopes'],
    ['a 65-character scope', ['openid', 'x'.repeat(65)], 'invalid_scopes'],
    ['33 scopes', Array.from({ length: 33 }, () => 'openid'), 'invalid_scopes'],
    ['a nested object', [{ scope: 'openid' }], 'invalid_scopes'],
  ])('refuses %s and writes nothing', async (_label, keep, error) => {
    const app = await newClient();
    const who = await connected(app);
    expect(await narrowConsent(who.user.id, app.client.id, keep, testContext())).toEqual({ ok: false, error });
    await expectUntouched(app, who);
  });

  it('answers not found for another user’s app and for malformed client ids, changing nothing', async () => {
    const app = await newClient();
    const theirs = await connected(app);
    const me = await newUser();
    for (const id of [app.client.id, 'no-such-client', '', 'x'.repeat(65), 42, null, ['a']]) {
      expect(await narrowConsent(me.id, id, ['openid'], testContext())).toEqual({ ok: false, error: 'app_not_found' });
    }
    await expectUntouched(app, theirs);
  });

  it('does not overwrite a consent that changed since it was read (compare-and-set)', async () => {
    const app = await newClient();
    const user = await newUser();
    await addConsentScopes(user.id, app.client.id, ['openid', 'profile']);
    // The user approved `email` meanwhile: a narrowing based on the old scopes must not drop it.
    await addConsentScopes(user.id, app.client.id, ['email']);
    expect(await replaceConsentScopes(user.id, app.client.id, ['openid', 'profile'], ['openid'])).toBe(false);
    expect(await findConsentScopes(user.id, app.client.id)).toEqual(['email', 'openid', 'profile']);
    expect(await replaceConsentScopes(user.id, app.client.id, ['email', 'openid', 'profile'], ['openid'])).toBe(true);
    expect(await findConsentScopes(user.id, app.client.id)).toEqual(['openid']);
  });
});

describe('POST /api/account/apps/narrow', () => {
  const post = (body: unknown, token?: string, headers: Record<string, string> = {}) =>
    narrowRoute(accountPost('/api/account/apps/narrow', typeof body === 'string' ? body : JSON.stringify(body), token, headers));

  it('narrows the consent of the cookie’s user and answers with the scopes kept', async () => {
    const app = await newClient();
    const who = await connected(app);
    const browser = await signedIn(who.user.id);
    const response = await post({ clientId: app.client.id, scopes: ['openid', 'profile', 'offline_access'] }, browser.token);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toContain('no-store');
    expect(await response.json()).toEqual({ outcome: 'narrowed', scopes: KEPT });
    expect(await isActive(app, who.wide.access_token)).toBe(false);
    expect(await isActive(app, who.narrow.access_token)).toBe(true);
  });

  it('answers 400 for adding or unknown scopes, 404 for another user’s app, 401 without a session, 403 from another site; nothing written', async () => {
    const app = await newClient();
    const who = await connected(app);
    const me = await newUser();
    const mine = await signedIn(me.id);
    const theirs = await signedIn(who.user.id);
    const narrower = { clientId: app.client.id, scopes: ['openid'] };
    expect((await expectRefused(await post({ clientId: app.client.id, scopes: ['openid', 'address'] }, theirs.token), 400)).error).toBe('scope_not_granted');
    expect((await expectRefused(await post({ clientId: app.client.id, scopes: ['openid', 'admin'] }, theirs.token), 400)).error).toBe('scope_not_granted');
    expect((await expectRefused(await post({ clientId: app.client.id, scopes: 'openid' }, theirs.token), 400)).error).toBe('invalid_scopes');
    expect((await expectRefused(await post(narrower, mine.token), 404)).error).toBe('not_found');
    await expectRefused(await post(narrower), 401);
    await expectRefused(await post(narrower, theirs.token, { origin: 'https://evil.example' }), 403);
    await expectRefused(await post(narrower, theirs.token, { origin: 'null', 'sec-fetch-site': 'cross-site' }), 403);
    await expectUntouched(app, who);
  });

  it.each(HOSTILE_BODIES)('refuses %s with a 4xx and narrows nothing', async (_label, body) => {
    const app = await newClient();
    const who = await connected(app);
    const browser = await signedIn(who.user.id);
    await expectRefused(await narrowRoute(accountPost('/api/account/apps/narrow', body, browser.token)));
    await expectUntouched(app, who);
  });
});
