import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../lib/crypto/hash';
import { addConsentScopes } from '../../lib/db/consents';
import { invalidateClientCache } from '../../lib/oauth/clients/cache';
import type { OAuthClientRecord } from '../../lib/oauth/clients/types';
import { afterSignInPath } from '../../lib/oauth/authorize/handle';
import type { TestDatabase } from '../support/database';
import {
  authorizeGet,
  authorizeParams,
  authorizePost,
  continueRequest,
  expectClientError,
  expectCode,
  expectErrorPage,
  expectHandle,
  idTokenHint,
  newClient,
  newUser,
  openAuthorizeTestDatabase,
  signIn,
  signedInUser,
} from './authorize-support';

let database: TestDatabase;
let thirdParty: OAuthClientRecord;
let firstParty: OAuthClientRecord;
beforeAll(async () => {
  database = await openAuthorizeTestDatabase();
  thirdParty = await newClient({ name: 'Third Party' });
  firstParty = await newClient({ name: 'First Party', firstParty: true });
});
afterAll(() => database.close());

const MINUTE = 60_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function grantOf(code: string) {
  const [row] = await database.sql(
    `SELECT g.* , c.redirect_uri, c.code_challenge, c.code_challenge_method
       FROM authorization_codes c JOIN grants g ON g.id = c.grant_id WHERE c.code_hash = $1`,
    [Buffer.from(sha256(code))],
  );
  return row!;
}

async function sessionCreatedAt(sessionId: string): Promise<Date> {
  const [row] = await database.sql<{ created_at: Date }>('SELECT created_at FROM sessions WHERE id = $1', [sessionId]);
  return row!.created_at;
}

describe('without a session', () => {
  it('stores the request under an opaque handle (only its hash in the database, 10 minutes) and sends the browser to sign-in', async () => {
    const before = Date.now();
    const handle = expectHandle(await authorizeGet(authorizeParams(thirdParty)), '/sign-in');
    const rows = await database.sql<{ id_hash: Buffer; client_id: string; params: object; expires_at: Date }>(
      'SELECT * FROM authorization_requests WHERE id_hash = $1',
      [Buffer.from(sha256(handle))],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.client_id).toBe(thirdParty.id);
    expect(JSON.stringify(rows[0])).not.toContain(handle);
    const ttl = rows[0]!.expires_at.getTime() - before;
    expect(ttl).toBeGreaterThan(10 * MINUTE - 5000);
    expect(ttl).toBeLessThanOrEqual(10 * MINUTE + 1000);
  });

  it('prompt=none answers login_required at the redirect URI, and stores nothing', async () => {
    const [{ count: before }] = (await database.sql('SELECT count(*)::int AS count FROM authorization_requests')) as [{ count: number }];
    expectClientError(await authorizeGet(authorizeParams(thirdParty, { prompt: 'none' })), 'login_required');
    const [{ count: after }] = (await database.sql('SELECT count(*)::int AS count FROM authorization_requests')) as [{ count: number }];
    expect(after).toBe(before);
  });

  it('ignores a forged, malformed or expired session cookie', async () => {
    const response = await authorizeGet(authorizeParams(firstParty), 'optare_session=forged; __Host-optare_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    expectHandle(response, '/sign-in');
  });

  it('after sign-in, the continue route answers with a code, auth_time, amr and sid of the new session', async () => {
    const client = await newClient({ firstParty: true });
    const handle = expectHandle(await authorizeGet(authorizeParams(client, { nonce: 'nonce-1', claims: '{"userinfo":{"email":null}}' })), '/sign-in');
    await sleep(5);
    const user = await signIn(await newUser(), ['pwd', 'otp']);
    const code = expectCode(await continueRequest(handle, user.cookie));
    const grant = await grantOf(code);
    expect(grant).toMatchObject({
      client_id: client.id,
      user_id: user.userId,
      session_id: user.sessionId,
      // The claims parameter's email asks for the email scope too (authorize/checks/claims.ts).
      scopes: ['openid', 'profile', 'email'],
      amr: ['pwd', 'otp'],
      nonce: 'nonce-1',
      claims: { userinfo: { email: null } },
      redirect_uri: 'https://app.example.test/callback',
      code_challenge_method: 'S256',
    });
    expect(grant.auth_time.getTime()).toBe((await sessionCreatedAt(user.sessionId)).getTime());
  });

  it('the continue route without a session goes back to sign-in with the same handle', async () => {
    const handle = expectHandle(await authorizeGet(authorizeParams(firstParty)), '/sign-in');
    expect(expectHandle(await continueRequest(handle), '/sign-in')).toBe(handle);
  });
});

describe('with a session', () => {
  it('a first-party client gets a code at once, with the session as auth_time', async () => {
    const user = await signedInUser();
    const { challenge } = { challenge: authorizeParams(firstParty).get('code_challenge')! };
    const code = expectCode(await authorizeGet(authorizeParams(firstParty, { code_challenge: challenge, scope: 'openid offline_access' }), user.cookie));
    const grant = await grantOf(code);
    expect(grant).toMatchObject({ user_id: user.userId, session_id: user.sessionId, code_challenge: challenge, scopes: ['openid', 'offline_access'] });
    expect(grant.auth_time.getTime()).toBe((await sessionCreatedAt(user.sessionId)).getTime());
  });

  it('prompt=none with a session answers a code and keeps the original auth_time', async () => {
    const user = await signedInUser();
    const first = await grantOf(expectCode(await authorizeGet(authorizeParams(firstParty), user.cookie)));
    await sleep(10);
    const second = await grantOf(expectCode(await authorizeGet(authorizeParams(firstParty, { prompt: 'none' }), user.cookie)));
    expect(second.auth_time.getTime()).toBe(first.auth_time.getTime());
  });

  it('a third-party client without consent goes to the consent page; prompt=none answers consent_required', async () => {
    const user = await signedInUser();
    expectHandle(await authorizeGet(authorizeParams(thirdParty), user.cookie), '/consent');
    expectClientError(await authorizeGet(authorizeParams(thirdParty, { prompt: 'none' }), user.cookie), 'consent_required');
  });

  it('remembered consent covering every requested scope skips the page; a new scope asks again', async () => {
    const user = await signedInUser();
    await addConsentScopes(user.userId, thirdParty.id, ['openid', 'profile']);
    expectCode(await authorizeGet(authorizeParams(thirdParty, { scope: 'openid' }), user.cookie));
    expectCode(await authorizeGet(authorizeParams(thirdParty, { scope: 'profile openid', prompt: 'none' }), user.cookie));
    expectHandle(await authorizeGet(authorizeParams(thirdParty, { scope: 'openid email' }), user.cookie), '/consent');
    // offline_access is a scope like the others: a refresh token needs the user's consent to it.
    expectClientError(await authorizeGet(authorizeParams(thirdParty, { scope: 'openid offline_access', prompt: 'none' }), user.cookie), 'consent_required');
  });

  it('prompt=consent shows the consent page even to a first-party client and to a user who consented', async () => {
    const user = await signedInUser();
    await addConsentScopes(user.userId, thirdParty.id, ['openid', 'profile']);
    expectHandle(await authorizeGet(authorizeParams(firstParty, { prompt: 'consent' }), user.cookie), '/consent');
    expectHandle(await authorizeGet(authorizeParams(thirdParty, { prompt: 'consent' }), user.cookie), '/consent');
  });

  it('prompt=select_account proceeds with the one account of the browser session', async () => {
    const user = await signedInUser();
    expectCode(await authorizeGet(authorizeParams(firstParty, { prompt: 'select_account' }), user.cookie));
  });

  it('a POST continues through a GET and is then decided with the session', async () => {
    const user = await signedInUser();
    const handle = expectHandle(await authorizePost(authorizeParams(firstParty)), '/oauth/authorize/continue');
    expectCode(await continueRequest(handle, user.cookie));
  });

  it('a POST with prompt=none and no session ends with login_required at the redirect URI', async () => {
    const handle = expectHandle(await authorizePost(authorizeParams(firstParty, { prompt: 'none' })), '/oauth/authorize/continue');
    expectClientError(await continueRequest(handle), 'login_required');
    expectErrorPage(await continueRequest(handle), 'request_expired');
  });
});

describe('prompt=login and max_age force a new authentication', () => {
  it('prompt=login with a live session goes to sign-in; the old session cannot finish it, a new sign-in can, with a later auth_time', async () => {
    const account = await newUser();
    const old = await signIn(account);
    const handle = expectHandle(await authorizeGet(authorizeParams(firstParty, { prompt: 'login' }), old.cookie), '/sign-in');
    // Coming back without signing in again does not satisfy it (and does not loop elsewhere).
    expect(expectHandle(await continueRequest(handle, old.cookie), '/sign-in')).toBe(handle);
    await sleep(5);
    const fresh = await signIn(account);
    const grant = await grantOf(expectCode(await continueRequest(handle, fresh.cookie)));
    expect(grant.session_id).toBe(fresh.sessionId);
    expect(grant.auth_time.getTime()).toBeGreaterThan((await sessionCreatedAt(old.sessionId)).getTime());
  });

  it('max_age exceeded sends the user to sign-in (login_required with prompt=none); within max_age it does not', async () => {
    const user = await signedInUser();
    await database.sql("UPDATE sessions SET created_at = now() - interval '2 hours', authenticated_at = now() - interval '2 hours' WHERE id = $1", [user.sessionId]);
    const handle = expectHandle(await authorizeGet(authorizeParams(firstParty, { max_age: '3600' }), user.cookie), '/sign-in');
    expectClientError(await authorizeGet(authorizeParams(firstParty, { max_age: '3600', prompt: 'none' }), user.cookie), 'login_required');
    expectCode(await authorizeGet(authorizeParams(firstParty, { max_age: '10800' }), user.cookie));
    // The old session still does not satisfy the stored request; a new sign-in does.
    expectHandle(await continueRequest(handle, user.cookie), '/sign-in');
    await sleep(5);
    const fresh = await signIn({ id: user.userId, email: user.email });
    expectCode(await continueRequest(handle, fresh.cookie));
  });

  it('max_age=0 behaves like prompt=login and does not loop after the new sign-in', async () => {
    const account = await newUser();
    const old = await signIn(account);
    const handle = expectHandle(await authorizeGet(authorizeParams(firstParty, { max_age: '0' }), old.cookie), '/sign-in');
    await sleep(5);
    const fresh = await signIn(account);
    expectCode(await continueRequest(handle, fresh.cookie));
  });
});

describe('id_token_hint', () => {
  it('naming the signed-in user proceeds; naming another user asks to sign in, or login_required with prompt=none', async () => {
    const user = await signedInUser();
    const other = await signedInUser();
    expectCode(await authorizeGet(authorizeParams(firstParty, { id_token_hint: await idTokenHint(firstParty, user), prompt: 'none' }), user.cookie));
    const otherHint = await idTokenHint(firstParty, other);
    expectClientError(await authorizeGet(authorizeParams(firstParty, { id_token_hint: otherHint, prompt: 'none' }), user.cookie), 'login_required');
    const handle = expectHandle(await authorizeGet(authorizeParams(firstParty, { id_token_hint: otherHint }), user.cookie), '/sign-in');
    // Signing in as the hinted user finishes it.
    await sleep(5);
    const asOther = await signIn({ id: other.userId, email: other.email });
    expect((await grantOf(expectCode(await continueRequest(handle, asOther.cookie)))).user_id).toBe(other.userId);
  });

  it('signing in as someone else than the hint names ends with login_required', async () => {
    const user = await signedInUser();
    const other = await signedInUser();
    const handle = expectHandle(
      await authorizeGet(authorizeParams(firstParty, { id_token_hint: await idTokenHint(firstParty, other) }), user.cookie),
      '/sign-in',
    );
    await sleep(5);
    const again = await signIn({ id: user.userId, email: user.email });
    expectClientError(await continueRequest(handle, again.cookie), 'login_required');
  });

  it('an expired hint is still a hint', async () => {
    const user = await signedInUser();
    const hint = await idTokenHint(firstParty, user, new Date(Date.now() - 7 * 24 * 3600_000));
    expectCode(await authorizeGet(authorizeParams(firstParty, { id_token_hint: hint }), user.cookie));
  });
});

describe('pending requests', () => {
  it('are single-use: a second continue finds nothing, and 10 concurrent continues yield exactly one code', async () => {
    const user = await signedInUser();
    const handle = expectHandle(await authorizeGet(authorizeParams(firstParty)), '/sign-in');
    expectCode(await continueRequest(handle, user.cookie));
    expectErrorPage(await continueRequest(handle, user.cookie), 'request_expired');

    const racing = expectHandle(await authorizeGet(authorizeParams(firstParty)), '/sign-in');
    const responses = await Promise.all(Array.from({ length: 10 }, () => continueRequest(racing, user.cookie)));
    const codes = responses.filter((response) => new URL(response.headers.get('location')!).searchParams.has('code'));
    expect(codes).toHaveLength(1);
    for (const response of responses.filter((r) => !codes.includes(r))) expectErrorPage(response, 'request_expired');
  });

  it('expire after 10 minutes', async () => {
    const user = await signedInUser();
    const handle = expectHandle(await authorizeGet(authorizeParams(firstParty)), '/sign-in');
    expectErrorPage(await continueRequest(handle, user.cookie, new Date(Date.now() + 10 * MINUTE + 1000)), 'request_expired');
    expectCode(await continueRequest(handle, user.cookie, new Date(Date.now() + 9 * MINUTE)));
  });

  it('unknown or malformed handles go to the error page', async () => {
    for (const handle of ['', 'short', 'A'.repeat(43), '../../etc', 'A'.repeat(43) + '&client_id=x']) {
      expectErrorPage(await continueRequest(handle), 'request_expired');
    }
  });

  it('are answered on the error page when the client was disabled or the redirect URI unregistered meanwhile', async () => {
    const user = await signedInUser();
    const client = await newClient({ firstParty: true });
    const handle = expectHandle(await authorizeGet(authorizeParams(client)), '/sign-in');
    await database.sql('UPDATE oauth_clients SET enabled = false WHERE id = $1', [client.id]);
    invalidateClientCache();
    expectErrorPage(await continueRequest(handle, user.cookie), 'invalid_client');

    const moved = await newClient({ firstParty: true });
    const second = expectHandle(await authorizeGet(authorizeParams(moved)), '/sign-in');
    await database.sql("UPDATE oauth_clients SET redirect_uris = '{https://app.example.test/new}' WHERE id = $1", [moved.id]);
    invalidateClientCache();
    expectErrorPage(await continueRequest(second, user.cookie), 'invalid_client');
  });

  it('the sign-in and sign-up answers resume a well-formed handle and go home otherwise', () => {
    const handle = 'a'.repeat(43);
    expect(afterSignInPath(handle)).toBe(`/oauth/authorize/continue?request=${handle}`);
    for (const value of [undefined, null, 42, '', 'a'.repeat(44), 'https://evil.example', '//evil.example', `${'a'.repeat(42)}/`]) {
      expect(afterSignInPath(value)).toBe('/');
    }
  });
});
