import type { AnyResponse } from './hostile-input.payloads';
import { NextRequest } from 'next/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as signOut } from '../../app/sign-out/route';
import { POST as adminSignOut } from '../../app/admin/sign-out/route';
import { POST as endLogout } from '../../app/oauth/logout/end/route';
import { GET as sessionEnded } from '../../app/sign-in/session-ended/route';
import { GET as sessionStatus } from '../../app/api/account/session-status/route';
import { GET as consoleSessionStatus } from '../../app/api/admin/console/session-status/route';
import { POST as updateProfile } from '../../app/api/account/profile/route';
import { GET as exportOwnData } from '../../app/api/account/export/route';
import type { OAuthClientRecord } from '../../lib/oauth/clients/types';
import { logoutEndpoint } from '../../lib/oauth/endpoints/logout';
import type { TestDatabase } from '../support/database';
import { idTokenHint, ISSUER, location, newClient, openAuthorizeTestDatabase, signedInUser, type SignedInUser } from './authorize-support';
import { consoleSignIn, newAccount, newAdmin } from './admin-users-support';

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

/**
 * A session that ends without the browser being told (idle or absolute expiry, ended from another
 * browser, or a token the server never knew): the next request that presents its cookie gets the
 * cookie deleted and Clear-Site-Data, as sign-out does; a live session's requests never do.
 */
describe('authenticated data left in the browser after the session ends on its own', () => {
  const get = (path: string, cookie?: string) =>
    new NextRequest(`${ISSUER}${path}`, { headers: { 'sec-fetch-site': 'same-origin', ...(cookie ? { cookie } : {}) } });
  const post = (path: string, body: unknown, cookie?: string) =>
    new NextRequest(`${ISSUER}${path}`, {
      method: 'POST',
      headers: { origin: ISSUER, 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
      body: JSON.stringify(body),
    });
  const expectForgotten = (response: AnyResponse) => {
    expect(response.headers.get('clear-site-data')).toBe(CLEARS);
    expect(response.headers.get('cache-control')).toContain('no-store');
    expect(response.headers.get('set-cookie')).toMatch(/^__Host-optare_session=;.*Max-Age=0/);
  };
  const expectKept = (response: AnyResponse) => {
    expect(response.headers.get('clear-site-data')).toBeNull();
    expect(response.headers.get('set-cookie') ?? '').not.toMatch(/optare_session/);
  };

  /** A browser holding the cookie of a session that has ended in each way there is. */
  const ENDINGS: Array<[string, () => Promise<string>]> = [
    ['idle for too long', async () => {
      const user = await signedInUser();
      await database.sql("UPDATE sessions SET idle_expires_at = now() - interval '1 second' WHERE id = $1", [user.sessionId]);
      return user.cookie;
    }],
    ['past its absolute lifetime', async () => {
      const user = await signedInUser();
      await database.sql("UPDATE sessions SET absolute_expires_at = now() - interval '1 second' WHERE id = $1", [user.sessionId]);
      return user.cookie;
    }],
    ['ended elsewhere', async () => {
      const user = await signedInUser();
      await database.sql('DELETE FROM sessions WHERE id = $1', [user.sessionId]);
      return user.cookie;
    }],
    ['unknown to the server', async () => `${(await signedInUser()).cookie.split('=')[0]}=${'A'.repeat(43)}`],
  ];

  it.each(ENDINGS)('an account page, with a session %s, goes to sign-in through a 303 that deletes the cookie and sends Clear-Site-Data', async (_label, ended) => {
    const response = await sessionEnded(get('/sign-in/session-ended?next=/account/security', await ended()));
    const target = location(response);
    expect(`${target.pathname}${target.search}`).toBe('/sign-in?ended=1&next=/account/security');
    expectForgotten(response);
  });

  it.each(ENDINGS)('the account API, with a session %s, answers 401 deleting the cookie with Clear-Site-Data', async (_label, ended) => {
    const cookie = await ended();
    const write = await updateProfile(post('/api/account/profile', { name: 'Mallory' }, cookie));
    expect(write.status).toBe(401);
    expectForgotten(write);
    const read = await exportOwnData(get('/api/account/export', cookie));
    expect(read.status).toBe(401);
    expectForgotten(read);
    const status = await sessionStatus(get('/api/account/session-status', cookie));
    expect(status.status).toBe(401);
    expect(await status.json()).toEqual({ active: false, error: 'not_signed_in' });
    expectForgotten(status);
  });

  it('a live session is kept: the page is shown again, the API answers, nothing is cleared; asking for its status does not prolong it', async () => {
    const user = await signedInUser();
    const back = await sessionEnded(get('/sign-in/session-ended?next=/account/security', user.cookie));
    expect(location(back).pathname).toBe('/account/security');
    expectKept(back);
    const write = await updateProfile(post('/api/account/profile', { name: 'Ada L.' }, user.cookie));
    expect(write.status).toBe(200);
    expectKept(write);

    await database.sql("UPDATE sessions SET idle_expires_at = now() + interval '90 seconds', last_seen_at = now() - interval '1 hour' WHERE id = $1", [user.sessionId]);
    const status = await sessionStatus(get('/api/account/session-status', user.cookie));
    expectKept(status);
    const body = (await status.json()) as { active: boolean; expiresInSeconds: number };
    expect(body.active).toBe(true);
    expect(body.expiresInSeconds).toBeGreaterThan(80);
    expect(body.expiresInSeconds).toBeLessThanOrEqual(90);
    const [row] = await database.sql<{ left: number }>('SELECT extract(epoch FROM idle_expires_at - now()) AS left FROM sessions WHERE id = $1', [user.sessionId]);
    expect(Number(row!.left)).toBeLessThanOrEqual(90);
  });

  it('without a session cookie nothing is cleared: a link from another site cannot wipe anything', async () => {
    const response = await sessionEnded(get('/sign-in/session-ended?next=https://evil.example/'));
    const target = location(response);
    expect(`${target.origin}${target.pathname}${target.search}`).toBe(`${ISSUER}/sign-in?ended=1&next=/account`);
    expectKept(response);
    const status = await sessionStatus(get('/api/account/session-status'));
    expect(status.status).toBe(401);
    expect(await status.json()).toEqual({ active: false, error: 'not_signed_in' });
    expectKept(status);
  });
});

describe('the admin console left open after its session ends on its own', () => {
  const get = (cookie?: string) =>
    new NextRequest(`${ISSUER}/api/admin/console/session-status`, { headers: { 'sec-fetch-site': 'same-origin', ...(cookie ? { cookie } : {}) } });
  const consoleSeenAt = async (sessionId: string) =>
    (await database.sql<{ seen: Date }>('SELECT console_seen_at AS seen FROM sessions WHERE id = $1', [sessionId]))[0]!.seen;

  it('a live console session: active with the seconds left, nothing cleared, and asking moves no clock', async () => {
    const admin = await newAdmin('console-status');
    const { cookie, sessionId } = await consoleSignIn(admin.id);
    await database.sql("UPDATE sessions SET console_seen_at = now() - interval '5 minutes' WHERE id = $1", [sessionId]);
    const before = await consoleSeenAt(sessionId);
    const response = await consoleSessionStatus(get(cookie));
    const body = (await response.json()) as { active: boolean; expiresInSeconds: number };
    expect(body.active).toBe(true);
    // The console's own idle limit (15 minutes by default) counts from its last use, 5 minutes ago.
    expect(body.expiresInSeconds).toBeGreaterThan(9 * 60);
    expect(body.expiresInSeconds).toBeLessThanOrEqual(10 * 60);
    expect(response.headers.get('clear-site-data')).toBeNull();
    expect(response.headers.get('set-cookie')).toBeNull();
    expect(await consoleSeenAt(sessionId)).toEqual(before);
  });

  it('an idle console session: inactive, and the console cookie is deleted with Clear-Site-Data', async () => {
    const admin = await newAdmin('console-status-idle');
    const { cookie, sessionId } = await consoleSignIn(admin.id);
    await database.sql("UPDATE sessions SET console_seen_at = now() - interval '1 hour' WHERE id = $1", [sessionId]);
    const response = await consoleSessionStatus(get(cookie));
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ active: false, error: 'not_signed_in', redirectTo: '/admin/sign-in?error=idle' });
    expect(response.headers.get('clear-site-data')).toBe(CLEARS);
    expect(response.headers.get('cache-control')).toContain('no-store');
    expect(response.headers.get('set-cookie')).toMatch(/^__Host-next-auth\.session-token=;.*Max-Age=0/);
  });

  it('without the console cookie: inactive, and nothing is cleared; a member who is no administrator: 403', async () => {
    const response = await consoleSessionStatus(get());
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ active: false, error: 'not_signed_in', redirectTo: '/admin/sign-in?error=idle' });
    expect(response.headers.get('clear-site-data')).toBeNull();
    const member = await newAccount('console-status-member');
    const forged = await consoleSignIn(member.id);
    const refused = await consoleSessionStatus(get(forged.cookie));
    expect(refused.status).toBe(403);
    // A role lost while a console page is open: the page leaves saying so, not "inactive".
    expect(await refused.json()).toEqual({ active: false, error: 'forbidden', redirectTo: '/admin/sign-in?error=not_admin' });
  });
});
