import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OAuthClientRecord } from '../../lib/oauth/clients/types';
import { ERROR_PAGE_MESSAGES, errorPageMessage } from '../../lib/oauth/authorize/error-page';
import { logoutEndpoint } from '../../lib/oauth/endpoints/logout';
import type { TestDatabase } from '../support/database';
import {
  authorizeGet,
  authorizeParams,
  authorizePost,
  expectErrorPage,
  idTokenHint,
  ISSUER,
  newClient,
  openAuthorizeTestDatabase,
  REDIRECT_URI,
  signedInUser,
} from './authorize-support';

/**
 * Threat: an attacker crafts an authorization or logout URL that makes Optare send the browser
 * (with a code, an error, or just the user's trust) to a site the client never registered.
 * Every payload below must end on Optare's own error page (or signed-out page), never elsewhere.
 */
const REGISTERED = REDIRECT_URI; // https://app.example.test/callback
const HOSTILE = [
  'javascript:alert(document.domain)',
  'JaVaScRiPt:alert(1)//https://app.example.test/callback',
  'data:text/html,<script>alert(1)</script>',
  'vbscript:msgbox(1)',
  '//evil.example/callback',
  '///evil.example/callback',
  '/\\evil.example/callback',
  'https://evil.example/callback',
  'https://evil.example@app.example.test/callback',
  'https://app.example.test@evil.example/callback',
  'https://app.example.test/callback@evil.example',
  'https://app.example.test.evil.example/callback',
  'https://app.example.test%2eevil.example/callback',
  'https://app.example.test%40evil.example/callback',
  'https://app.example.test/callback/../../evil',
  'https://app.example.test/callback/..%2F..%2Fevil',
  'https://app.example.test/callback%2F..%2Fevil',
  'https://app.example.test/callback?redirect=https://evil.example',
  'https://app.example.test/callback#@evil.example',
  'https://app.example.test\\@evil.example/callback',
  'https://app.example.test\\.evil.example/callback',
  'https%3A%2F%2Fevil.example%2Fcallback',
  'https%3A%2F%2Fapp.example.test%2Fcallback',
  'https://app.exаmple.test/callback', // Cyrillic а
  'https://xn--app-example-test/callback',
  ' https://app.example.test/callback',
  'https://app.example.test/callback ',
  'https://app.example.test/callback\t',
  'https://app.example.test/callback\n',
  'https://app.example.test/callback\u0000',
  'https://app.example.test/callback\u202e',
  'HTTPS://APP.EXAMPLE.TEST/CALLBACK',
  'http://app.example.test/callback',
  'https://app.example.test:443/callback',
  'https://app.example.test./callback',
  'https://[::1]/callback',
  'https://127.0.0.1/callback',
  'file:///etc/passwd',
];

let database: TestDatabase;
let client: OAuthClientRecord;
beforeAll(async () => {
  database = await openAuthorizeTestDatabase();
  client = await newClient({ postLogoutRedirectUris: ['https://app.example.test/signed-out'] });
});
afterAll(() => database.close());

describe('open redirect: the authorization endpoint never redirects to an unregistered redirect_uri', () => {
  it.each(HOSTILE.map((uri) => [JSON.stringify(uri), uri]))('GET %s → error page', async (_label, uri) => {
    expectErrorPage(await authorizeGet(authorizeParams(client, { redirect_uri: uri })), 'invalid_redirect_uri');
  });

  it('not with POST either, nor when the request has other errors, nor with a session and prompt=none', async () => {
    const user = await signedInUser();
    for (const uri of HOSTILE) {
      expectErrorPage(await authorizePost(authorizeParams(client, { redirect_uri: uri })), 'invalid_redirect_uri');
      expectErrorPage(await authorizeGet(authorizeParams(client, { redirect_uri: uri, response_type: 'token', prompt: 'none' })), 'invalid_redirect_uri');
      expectErrorPage(await authorizeGet(authorizeParams(client, { redirect_uri: uri, prompt: 'none' }), user.cookie), 'invalid_redirect_uri');
    }
  });

  it('not when a hostile copy rides along with the registered URI (parameter pollution)', async () => {
    for (const uri of ['https://evil.example/callback', 'javascript:alert(1)']) {
      const query = `${authorizeParams(client).toString()}&redirect_uri=${encodeURIComponent(uri)}`;
      expectErrorPage(await authorizeGet(query), 'invalid_redirect_uri');
      const reversed = `redirect_uri=${encodeURIComponent(uri)}&${authorizeParams(client).toString()}`;
      expectErrorPage(await authorizeGet(reversed), 'invalid_redirect_uri');
    }
  });

  it("not to another client's registered URI", async () => {
    const other = await newClient({ redirectUris: ['https://other.example.test/callback'] });
    expectErrorPage(await authorizeGet(authorizeParams(client, { redirect_uri: other.redirectUris[0]! })), 'invalid_redirect_uri');
  });

  it('an injected error page code is never reflected: unknown codes show the generic text', () => {
    for (const code of ['<script>alert(1)</script>', 'https://evil.example', '__proto__', 'constructor', 'toString', undefined, ['invalid_client']]) {
      expect(errorPageMessage(code)).toBe(ERROR_PAGE_MESSAGES.invalid_request);
    }
    expect(errorPageMessage('invalid_client')).toBe(ERROR_PAGE_MESSAGES.invalid_client);
  });

  it('the registered URI itself still works, for contrast', async () => {
    const response = await authorizeGet(authorizeParams(client, { response_type: 'token' }));
    expect(response.headers.get('location')!.startsWith(`${REGISTERED}?error=unsupported_response_type`)).toBe(true);
  });
});

describe('open redirect: RP-initiated logout never redirects to an unregistered post_logout_redirect_uri', () => {
  const hostileLogoutUris = HOSTILE.map((uri) => uri.replace('/callback', '/signed-out'));

  it.each(hostileLogoutUris.map((uri) => [JSON.stringify(uri), uri]))('%s with an identified client → error page', async (_label, uri) => {
    const user = await signedInUser();
    const hint = await idTokenHint(client, user);
    const response = await logoutEndpoint(
      new Request(`${ISSUER}/oauth/logout?${new URLSearchParams({ id_token_hint: hint, post_logout_redirect_uri: uri, state: 'x' })}`, {
        headers: { cookie: user.cookie },
      }),
    );
    expectErrorPage(response, 'invalid_logout_request');
    expect(await database.sql('SELECT 1 FROM sessions WHERE id = $1', [user.sessionId])).toHaveLength(1);
  });

  it('without a way to identify the client, any post_logout_redirect_uri is ignored: Optare keeps the browser', async () => {
    for (const uri of [...hostileLogoutUris, 'https://app.example.test/signed-out']) {
      const response = await logoutEndpoint(new Request(`${ISSUER}/oauth/logout?${new URLSearchParams({ post_logout_redirect_uri: uri })}`));
      expect(new URL(response.headers.get('location')!).origin).toBe(ISSUER);
    }
  });
});
