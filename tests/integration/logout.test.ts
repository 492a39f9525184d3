import type { ProtocolResponse } from '../../lib/http/protocol-message';
import type { AnyResponse } from './hostile-input.payloads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionCookie } from '../../lib/auth/sessions';
import type { OAuthClientRecord } from '../../lib/oauth/clients/types';
import { confirmLogout, logoutEndpoint, logoutPrompt } from '../../lib/oauth/endpoints/logout';
import type { TestDatabase } from '../support/database';
import { expectErrorPage, idTokenHint, ISSUER, location, newClient, openAuthorizeTestDatabase, signIn, signedInUser, type SignedInUser } from './authorize-support';

const SIGNED_OUT = 'https://app.example.test/signed-out';
const DONE = `${ISSUER}/oauth/logout/done`;

let database: TestDatabase;
let client: OAuthClientRecord;
beforeAll(async () => {
  database = await openAuthorizeTestDatabase();
  client = await newClient({ postLogoutRedirectUris: [SIGNED_OUT, 'https://app.example.test/bye?lang=en'] });
});
afterAll(() => database.close());

function logout(params: Record<string, string>, cookie?: string): Promise<ProtocolResponse> {
  return logoutEndpoint(new Request(`${ISSUER}/oauth/logout?${new URLSearchParams(params).toString()}`, { headers: cookie ? { cookie } : {} }));
}

function confirm(sealed: string, cookie?: string) {
  return confirmLogout(sealed, new Request(`${ISSUER}/oauth/logout/end`, { method: 'POST', headers: cookie ? { cookie } : {} }));
}

async function sessionExists(user: SignedInUser): Promise<boolean> {
  return (await database.sql('SELECT 1 FROM sessions WHERE id = $1', [user.sessionId])).length === 1;
}

function expectCookieCleared(response: AnyResponse) {
  const setCookie = response.headers.get('set-cookie') ?? '';
  expect(setCookie).toMatch(new RegExp(`^${sessionCookie().name}=;`));
  expect(setCookie).toContain('Max-Age=0');
}

/** The sealed confirmation from a redirect to the confirmation page. */
function confirmationOf(response: AnyResponse): string {
  const url = location(response);
  expect(`${url.origin}${url.pathname}`).toBe(`${ISSUER}/oauth/logout/confirm`);
  return url.searchParams.get('logout')!;
}

describe('RP-initiated logout attributed to the session', () => {
  it("an id_token_hint whose sid is the browser's session ends it and returns to the post-logout URI with state", async () => {
    const user = await signedInUser();
    const hint = await idTokenHint(client, user);
    const response = await logout({ id_token_hint: hint, post_logout_redirect_uri: SIGNED_OUT, state: 'bye 1' }, user.cookie);
    expect(response.headers.get('location')).toBe(`${SIGNED_OUT}?state=bye+1`);
    expectCookieCleared(response);
    expect(await sessionExists(user)).toBe(false);
    const [event] = await database.sql('SELECT type FROM audit_events WHERE subject = $1', [user.sessionId]);
    expect(event).toEqual({ type: 'auth.sign_out' });
  });

  it("a hint without sid naming the signed-in user also ends the session (client_id may repeat the hint's audience)", async () => {
    const user = await signedInUser();
    const hint = await idTokenHint(client, { userId: user.userId, sessionId: null });
    const response = await logout({ id_token_hint: hint, client_id: client.id, post_logout_redirect_uri: 'https://app.example.test/bye?lang=en' }, user.cookie);
    expect(response.headers.get('location')).toBe('https://app.example.test/bye?lang=en');
    expect(await sessionExists(user)).toBe(false);
  });

  it('an expired hint is accepted; without a post-logout URI the browser lands on the signed-out page, state ignored', async () => {
    const user = await signedInUser();
    const hint = await idTokenHint(client, user, new Date(Date.now() - 30 * 24 * 3600_000));
    const response = await logout({ id_token_hint: hint, state: 'only-state' }, user.cookie);
    expect(response.headers.get('location')).toBe(DONE);
    expect(await sessionExists(user)).toBe(false);
  });

  it('with no session there is nothing to end: the browser still returns to a valid post-logout URI', async () => {
    const user = await signedInUser();
    const response = await logout({ id_token_hint: await idTokenHint(client, user), post_logout_redirect_uri: SIGNED_OUT, state: 's' });
    expect(response.headers.get('location')).toBe(`${SIGNED_OUT}?state=s`);
    expect(await sessionExists(user)).toBe(true);
  });

  it('POST is answered with a 303 to the same request as a GET (which carries the SameSite=Lax cookie)', async () => {
    const body = new URLSearchParams({ client_id: client.id, post_logout_redirect_uri: SIGNED_OUT, state: 'x' });
    const response = await logoutEndpoint(
      new Request(`${ISSUER}/oauth/logout`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: body.toString() }),
    );
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`${ISSUER}/oauth/logout?${body.toString()}`);
  });
});

describe('RP-initiated logout not attributed to the session asks for confirmation', () => {
  it('without a hint: the session survives until the user confirms, then ends and the browser returns with state', async () => {
    const user = await signedInUser();
    const response = await logout({ client_id: client.id, post_logout_redirect_uri: SIGNED_OUT, state: 'st' }, user.cookie);
    const sealed = confirmationOf(response);
    expect(response.headers.get('set-cookie')).toBeNull();
    expect(await sessionExists(user)).toBe(true);
    expect(await logoutPrompt(sealed, { id: user.sessionId }, new Date())).toEqual({ show: true, clientName: 'Example App' });

    expect(await confirm(sealed, user.cookie)).toEqual({ redirectTo: `${SIGNED_OUT}?state=st`, clearCookie: true });
    expect(await sessionExists(user)).toBe(false);
  });

  it("a hint about another user asks too, and the confirmation is worthless once its session has ended", async () => {
    const user = await signedInUser();
    const someoneElse = await signedInUser();
    const sealed = confirmationOf(await logout({ id_token_hint: await idTokenHint(client, someoneElse) }, user.cookie));
    expect(await sessionExists(user)).toBe(true);
    expect((await confirm(sealed, user.cookie)).redirectTo).toBe(DONE);
    // Replayed after signing in again: the new session is not touched.
    const again = await signIn({ id: user.userId, email: user.email });
    expect(await confirm(sealed, again.cookie)).toEqual({ redirectTo: `${ISSUER}/oauth/error?error=invalid_logout_request`, clearCookie: false });
    expect(await sessionExists(again)).toBe(true);
    expect(await logoutPrompt(sealed, { id: again.sessionId }, new Date())).toEqual({ show: false, redirectTo: '/oauth/error?error=invalid_logout_request' });
    expect(await sessionExists(someoneElse)).toBe(true);
  });

  it('refuses a tampered, foreign or expired confirmation', async () => {
    const user = await signedInUser();
    const sealed = confirmationOf(await logout({}, user.cookie));
    const tampered = sealed.slice(0, -4) + (sealed.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    for (const value of [tampered, 'v1.x.y.z.w', '', 'A'.repeat(10_000)]) {
      expect((await confirm(value, user.cookie)).redirectTo).toBe(`${ISSUER}/oauth/error?error=invalid_logout_request`);
    }
    const later = new Date(Date.now() + 11 * 60_000);
    expect(await logoutPrompt(sealed, { id: user.sessionId }, later)).toEqual({ show: false, redirectTo: '/oauth/error?error=invalid_logout_request' });
    expect(await sessionExists(user)).toBe(true);
  });

  it('with no parameters at all: confirmation, then the signed-out page', async () => {
    const user = await signedInUser();
    const sealed = confirmationOf(await logout({}, user.cookie));
    expect(await logoutPrompt(sealed, { id: user.sessionId }, new Date())).toEqual({ show: true, clientName: null });
    expect(await confirm(sealed, user.cookie)).toEqual({ redirectTo: DONE, clearCookie: true });
  });
});

describe('RP-initiated logout refuses what it cannot verify, and then ends nothing', () => {
  it('a post_logout_redirect_uri not registered on the client goes to the error page', async () => {
    const user = await signedInUser();
    const hint = await idTokenHint(client, user);
    for (const uri of [`${SIGNED_OUT}/`, 'https://app.example.test/callback', 'https://evil.example/signed-out', `${SIGNED_OUT}?x=1`]) {
      expectErrorPage(await logout({ id_token_hint: hint, post_logout_redirect_uri: uri }, user.cookie), 'invalid_logout_request');
    }
    expect(await sessionExists(user)).toBe(true);
  });

  it('a post-logout URI registered on another client is refused', async () => {
    const user = await signedInUser();
    const other = await newClient({ postLogoutRedirectUris: ['https://other.example.test/out'] });
    expectErrorPage(
      await logout({ id_token_hint: await idTokenHint(client, user), post_logout_redirect_uri: 'https://other.example.test/out' }, user.cookie),
      'invalid_logout_request',
    );
    expectErrorPage(await logout({ client_id: client.id, post_logout_redirect_uri: other.postLogoutRedirectUris[0]! }, user.cookie), 'invalid_logout_request');
    expect(await sessionExists(user)).toBe(true);
  });

  it('an invalid id_token_hint, a client_id that is not its audience, or an unknown client_id go to the error page', async () => {
    const user = await signedInUser();
    const other = await newClient();
    const hint = await idTokenHint(client, user);
    const tampered = hint.slice(0, -3) + (hint.endsWith('AAA') ? 'BBB' : 'AAA');
    const cases: Record<string, string>[] = [
      { id_token_hint: 'garbage' },
      { id_token_hint: tampered },
      { id_token_hint: hint, client_id: other.id },
      { client_id: 'oc_unknown' },
    ];
    for (const params of cases) {
      expectErrorPage(await logout({ ...params, post_logout_redirect_uri: SIGNED_OUT }, user.cookie), 'invalid_logout_request');
    }
    expect(await sessionExists(user)).toBe(true);
  });

  it('without id_token_hint or client_id a post_logout_redirect_uri is ignored: no redirect to it', async () => {
    const response = await logout({ post_logout_redirect_uri: SIGNED_OUT, state: 's' });
    expect(response.headers.get('location')).toBe(DONE);
    const user = await signedInUser();
    const sealed = confirmationOf(await logout({ post_logout_redirect_uri: SIGNED_OUT, state: 's' }, user.cookie));
    expect((await confirm(sealed, user.cookie)).redirectTo).toBe(DONE);
  });

  it('a post-logout URI unregistered between the request and the confirmation is not followed', async () => {
    const user = await signedInUser();
    const moving = await newClient({ postLogoutRedirectUris: ['https://moving.example.test/out'] });
    const sealed = confirmationOf(await logout({ client_id: moving.id, post_logout_redirect_uri: 'https://moving.example.test/out' }, user.cookie));
    await database.sql("UPDATE oauth_clients SET post_logout_redirect_uris = '{}' WHERE id = $1", [moving.id]);
    const { invalidateClientCache } = await import('../../lib/oauth/clients/cache');
    invalidateClientCache();
    expect((await confirm(sealed, user.cookie)).redirectTo).toBe(DONE);
  });

  it('repeated parameters go to the error page', async () => {
    const user = await signedInUser();
    const response = await logoutEndpoint(
      new Request(`${ISSUER}/oauth/logout?client_id=${client.id}&client_id=${client.id}`, { headers: { cookie: user.cookie } }),
    );
    expectErrorPage(response, 'invalid_logout_request');
    expect(await sessionExists(user)).toBe(true);
  });
});
