import { NextRequest } from 'next/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as signOut } from '../../app/sign-out/route';
import { POST as adminSignOut } from '../../app/admin/sign-out/route';
import { POST as endLogout } from '../../app/oauth/logout/end/route';
import type { OAuthClientRecord } from '../../lib/oauth/clients/types';
import { logoutEndpoint } from '../../lib/oauth/endpoints/logout';
import type { TestDatabase } from '../support/database';
import { idTokenHint, ISSUER, location, newClient, openAuthorizeTestDatabase, signedInUser, type SignedInUser } from './authorize-support';

/**
 * Authenticated data left behind in the browser after its session ends (ASVS 14.3.1): every way a
 * session ends in a browser asks it to clear what it cached and stored for Optare's origin.
 */

const SIGNED_OUT = 'https://app.example.test/signed-out';
const CLEARS = '"cache", "storage"';

let database: TestDatabase;
let client: OAuthClientRecord;
beforeAll(async () => {
  database = await openAuthorizeTestDatabase();
  client = await newClient({ postLogoutRedirectUris: [SIGNED_OUT] });
});
afterAll(() => database.close());

const sessionExists = async (user: SignedInUser) => (await database.sql('SELECT 1 FROM sessions WHERE id = $1', [user.sessionId])).length === 1;
const rpLogout = (params: Record<string, string>, cookie?: string) =>
  logoutEndpoint(new Request(`${ISSUER}/oauth/logout?${new URLSearchParams(params).toString()}`, { headers: cookie ? { cookie } : {} }));
const formPost = (path: string, cookie: string) =>
  new NextRequest(`${ISSUER}${path}`, { method: 'POST', headers: { origin: ISSUER, cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: '' });

describe('authenticated data left in the browser after logout', () => {
  it('RP-initiated logout that ends the session sends Clear-Site-Data for cache and storage (not cookies) and no-store', async () => {
    const user = await signedInUser();
    const response = await rpLogout({ id_token_hint: await idTokenHint(client, user), post_logout_redirect_uri: SIGNED_OUT }, user.cookie);
    expect(location(response).toString()).toBe(SIGNED_OUT);
    expect(await sessionExists(user)).toBe(false);
    expect(response.headers.get('clear-site-data')).toBe(CLEARS);
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('RP-initiated logout that ends nothing (no session, or a confirmation still to come) clears nothing', async () => {
    const user = await signedInUser();
    const noSession = await rpLogout({ id_token_hint: await idTokenHint(client, user), post_logout_redirect_uri: SIGNED_OUT });
    expect(noSession.headers.get('clear-site-data')).toBeNull();
    const toConfirm = await rpLogout({}, user.cookie);
    expect(location(toConfirm).pathname).toBe('/oauth/logout/confirm');
    expect(toConfirm.headers.get('clear-site-data')).toBeNull();
    expect(await sessionExists(user)).toBe(true);
  });

  it('the confirmed logout (POST /oauth/logout/end) that ends the session sends Clear-Site-Data; "stay" does not', async () => {
    const user = await signedInUser();
    const sealed = location(await rpLogout({}, user.cookie)).searchParams.get('logout')!;
    const answer = (decision: string) =>
      endLogout(
        new NextRequest(`${ISSUER}/oauth/logout/end`, {
          method: 'POST',
          headers: { origin: ISSUER, cookie: user.cookie, 'content-type': 'application/json' },
          body: JSON.stringify({ logout: sealed, decision }),
        }),
      );
    const stay = await answer('stay');
    expect(stay.headers.get('clear-site-data')).toBeNull();
    expect(await sessionExists(user)).toBe(true);
    const signedOut = await answer('sign_out');
    expect(signedOut.status).toBe(200);
    expect(signedOut.headers.get('clear-site-data')).toBe(CLEARS);
    expect(await sessionExists(user)).toBe(false);
  });

  it.each([
    ['/sign-out', signOut],
    ['/admin/sign-out', adminSignOut],
  ])('POST %s ends the session, deletes the cookie and sends Clear-Site-Data with no-store', async (path, route) => {
    const user = await signedInUser();
    const response = await route(formPost(path, user.cookie));
    expect(response.status).toBe(303);
    expect(response.headers.get('clear-site-data')).toBe(CLEARS);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('set-cookie')).toMatch(/Max-Age=0/);
    expect(await sessionExists(user)).toBe(false);
  });
});
