import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as revokeAppRoute } from '../../app/api/account/apps/revoke/route';
import { addConsentScopes, findConsentScopes } from '../../lib/db/consents';
import { connectedAppsOf, disconnectApp } from '../../lib/oauth/connected-apps';
import { testContext } from '../support/context';
import type { TestDatabase } from '../support/database';
import { accountPost, expectRefused, HOSTILE_BODIES, signedIn } from './account-support';
import { introspect, newClient, newUser, openOAuthTestDatabase, refresh, signIn, userinfo, type TestClient } from './token-endpoint.helpers';

/**
 * Connected apps (lib/oauth/connected-apps.ts and POST /api/account/apps/revoke): the clients a
 * user consented to, with the scopes in words; disconnecting one deletes the consent and revokes
 * that client's refresh and access tokens for this user only.
 */

let database: TestDatabase;
beforeAll(async () => {
  database = await openOAuthTestDatabase();
});
afterAll(() => database.close());

/** A user who consented to `client` and holds its tokens. */
async function connected(client: TestClient, user?: { id: string; email: string }) {
  const who = user ?? (await newUser());
  await addConsentScopes(who.id, client.client.id, ['openid', 'profile', 'email', 'offline_access']);
  const tokens = await signIn(client, who);
  return { user: who, tokens };
}

async function tokensWork(client: TestClient, tokens: { access_token: string; refresh_token?: string }) {
  const introspected = await introspect(client, tokens.access_token);
  return introspected.body.active === true;
}

describe('connectedAppsOf', () => {
  it('lists each consented client with its name, the scopes in words and when', async () => {
    const mail = await newClient({ name: 'Mail app' });
    const notes = await newClient({ name: 'Notes app' });
    const { user } = await connected(mail);
    await addConsentScopes(user.id, notes.client.id, ['openid', 'email']);
    const apps = await connectedAppsOf(user.id);
    expect(apps.map((app) => app.name).sort()).toEqual(['Mail app', 'Notes app']);
    const notesApp = apps.find((app) => app.clientId === notes.client.id)!;
    expect(notesApp.scopes).toEqual([
      { scope: 'openid', description: 'Know who you are (your account identifier)' },
      { scope: 'email', description: 'See your email address' },
    ]);
    expect(notesApp.grantedAt).toBeInstanceOf(Date);
    expect(await connectedAppsOf((await newUser()).id)).toEqual([]);
  });
});

describe('disconnectApp', () => {
  it('deletes the consent; the refresh token then fails with invalid_grant and the access token is inactive; audited', async () => {
    const app = await newClient({ name: 'Calendar' });
    const { user, tokens } = await connected(app);
    const second = await signIn(app, user);
    expect(await tokensWork(app, tokens)).toBe(true);

    expect(await disconnectApp(user.id, app.client.id, testContext())).toEqual({ ok: true, grantsRevoked: 2 });
    expect(await findConsentScopes(user.id, app.client.id)).toBeNull();
    for (const issued of [tokens, second]) {
      const refreshed = await refresh(app, issued.refresh_token!);
      expect(refreshed.status).toBe(400);
      expect(refreshed.body.error).toBe('invalid_grant');
      expect((await introspect(app, issued.access_token)).body).toEqual({ active: false });
      expect((await userinfo(issued.access_token)).status).toBe(401);
    }
    const events = await database.sql<{ subject: string; details: Record<string, unknown> }>(
      "SELECT subject, details FROM audit_events WHERE type = 'consent.revoked' AND actor_user_id = $1",
      [user.id],
    );
    expect(events).toEqual([{ subject: app.client.id, details: { grantsRevoked: 2 } }]);
    expect(await connectedAppsOf(user.id)).toEqual([]);
  });

  it('leaves the user’s other apps and other users of the same app alone', async () => {
    const app = await newClient();
    const other = await newClient();
    const mine = await connected(app);
    const mineElsewhere = await connected(other, mine.user);
    const theirs = await connected(app);
    expect((await disconnectApp(mine.user.id, app.client.id, testContext())).ok).toBe(true);
    expect(await tokensWork(other, mineElsewhere.tokens)).toBe(true);
    expect(await tokensWork(app, theirs.tokens)).toBe(true);
    expect((await refresh(app, theirs.tokens.refresh_token!)).status).toBe(200);
  });

  it('answers not found for an app the user never allowed, another user’s app, and malformed ids, changing nothing', async () => {
    const app = await newClient();
    const theirs = await connected(app);
    const me = await newUser();
    for (const id of [app.client.id, 'no-such-client', '', 'x'.repeat(65), 42, null, undefined, ['a'], { id: app.client.id }]) {
      expect(await disconnectApp(me.id, id, testContext())).toEqual({ ok: false, error: 'app_not_found' });
    }
    expect(await tokensWork(app, theirs.tokens)).toBe(true);
    expect(await findConsentScopes(theirs.user.id, app.client.id)).not.toBeNull();
  });
});

describe('POST /api/account/apps/revoke', () => {
  it('disconnects the app for the cookie’s user', async () => {
    const app = await newClient();
    const { user, tokens } = await connected(app);
    const browser = await signedIn(user.id);
    const response = await revokeAppRoute(accountPost('/api/account/apps/revoke', JSON.stringify({ clientId: app.client.id }), browser.token));
    expect(response.status).toBe(200);
    expect((await introspect(app, tokens.access_token)).body).toEqual({ active: false });
  });

  it('answers 404 for another user’s app, 401 without a session, 403 from another site', async () => {
    const app = await newClient();
    const theirs = await connected(app);
    const me = await newUser();
    const browser = await signedIn(me.id);
    const body = JSON.stringify({ clientId: app.client.id });
    expect((await expectRefused(await revokeAppRoute(accountPost('/api/account/apps/revoke', body, browser.token)), 404)).error).toBe('not_found');
    const theirBrowser = await signedIn(theirs.user.id);
    await expectRefused(await revokeAppRoute(accountPost('/api/account/apps/revoke', body)), 401);
    await expectRefused(await revokeAppRoute(accountPost('/api/account/apps/revoke', body, theirBrowser.token, { origin: 'https://evil.example' })), 403);
    expect(await tokensWork(app, theirs.tokens)).toBe(true);
  });

  it.each(HOSTILE_BODIES)('refuses %s with a 4xx and disconnects nothing', async (_label, body) => {
    const app = await newClient();
    const { user, tokens } = await connected(app);
    const browser = await signedIn(user.id);
    await expectRefused(await revokeAppRoute(accountPost('/api/account/apps/revoke', body, browser.token)));
    expect(await tokensWork(app, tokens)).toBe(true);
    expect(await findConsentScopes(user.id, app.client.id)).not.toBeNull();
  });
});
