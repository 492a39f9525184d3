import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateSessionToken, type ActiveSession } from '../../lib/auth/sessions';
import { sha256 } from '../../lib/crypto/hash';
import { answerConsent, consentPrompt } from '../../lib/oauth/authorize/consent';
import type { OAuthClientRecord } from '../../lib/oauth/clients/types';
import { SCOPE_DESCRIPTIONS } from '../../lib/oauth/scopes';
import type { TestDatabase } from '../support/database';
import { testContext } from '../support/context';
import {
  authorizeGet,
  authorizeParams,
  continueRequest,
  expectClientError,
  expectCode,
  expectErrorPage,
  expectHandle,
  ISSUER,
  newClient,
  newUser,
  openAuthorizeTestDatabase,
  signIn,
  signedInUser,
  type SignedInUser,
} from './authorize-support';

let database: TestDatabase;
let client: OAuthClientRecord;
beforeAll(async () => {
  database = await openAuthorizeTestDatabase();
  client = await newClient({ name: 'Photo Printer <Pro>' });
});
afterAll(() => database.close());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function sessionOf(user: SignedInUser): Promise<ActiveSession> {
  const session = await validateSessionToken(user.token, testContext());
  if (!session) throw new Error('no session');
  return session;
}

/** Runs the consent decision handler's logic and wraps its URL as the redirect a browser would follow. */
async function answer(handle: unknown, approve: boolean, user: SignedInUser | null): Promise<Response> {
  const redirectTo = await answerConsent({ handle, approve, session: user ? await sessionOf(user) : null, context: testContext(), now: new Date() });
  return new Response(null, { status: 303, headers: { location: redirectTo, 'cache-control': 'no-store' } });
}

async function consentRow(userId: string, clientId: string) {
  const [row] = await database.sql<{ scopes: string[] }>('SELECT scopes FROM consents WHERE user_id = $1 AND client_id = $2', [userId, clientId]);
  return row ?? null;
}

async function auditEvents(type: string, userId: string) {
  return database.sql<{ subject: string; outcome: string; details: { scopes: string[] } }>(
    'SELECT subject, outcome, details FROM audit_events WHERE type = $1 AND actor_user_id = $2 ORDER BY seq',
    [type, userId],
  );
}

describe('consent page', () => {
  it('shows the client name and the requested scopes in plain words', async () => {
    const user = await signedInUser();
    const handle = expectHandle(await authorizeGet(authorizeParams(client, { scope: 'openid email offline_access' }), user.cookie), '/consent');
    expect(await consentPrompt(handle, await sessionOf(user), new Date())).toEqual({
      show: true,
      clientName: 'Photo Printer <Pro>',
      userEmail: user.email,
      scopes: [
        { scope: 'openid', description: SCOPE_DESCRIPTIONS.openid },
        { scope: 'email', description: SCOPE_DESCRIPTIONS.email },
        { scope: 'offline_access', description: SCOPE_DESCRIPTIONS.offline_access },
      ],
      resources: [],
    });
  });

  it('names the APIs the access token will be for when the request asks for some (RFC 8707)', async () => {
    const orders = 'https://api.example.test/orders';
    const billing = 'https://api.example.test/billing';
    const withApis = await newClient({ name: 'API user', resources: [orders, billing] });
    const user = await signedInUser();
    const params = authorizeParams(withApis);
    params.append('resource', billing);
    params.append('resource', orders);
    const handle = expectHandle(await authorizeGet(params, user.cookie), '/consent');
    expect(await consentPrompt(handle, await sessionOf(user), new Date())).toMatchObject({ show: true, clientName: 'API user', resources: [billing, orders] });
  });

  it('sends the browser on when there is nothing to ask: unknown handle, no session, consent already given', async () => {
    const user = await signedInUser();
    expect(await consentPrompt('A'.repeat(43), await sessionOf(user), new Date())).toEqual({ show: false, redirectTo: '/oauth/error?error=request_expired' });
    expect(await consentPrompt(undefined, await sessionOf(user), new Date())).toMatchObject({ show: false, redirectTo: '/oauth/error?error=request_expired' });

    const handle = expectHandle(await authorizeGet(authorizeParams(client), user.cookie), '/consent');
    expect(await consentPrompt(handle, null, new Date())).toEqual({ show: false, redirectTo: `/oauth/authorize/continue?request=${handle}` });
  });
});

describe('consent answers', () => {
  it('approve: the code goes to the redirect URI with state and iss, the scopes are remembered and audited, the request is used up', async () => {
    const user = await signedInUser();
    const handle = expectHandle(await authorizeGet(authorizeParams(client), user.cookie), '/consent');
    expectCode(await answer(handle, true, user));

    expect(await consentRow(user.userId, client.id)).toEqual({ scopes: ['openid', 'profile'] });
    expect(await auditEvents('consent.granted', user.userId)).toEqual([
      { subject: client.id, outcome: 'success', details: { scopes: ['openid', 'profile'] } },
    ]);
    expect(await database.sql('SELECT 1 FROM authorization_requests WHERE id_hash = $1', [Buffer.from(sha256(handle))])).toHaveLength(0);

    // Single use: the same answer again gets the error page, and no second code.
    expectErrorPage(await answer(handle, true, user), 'request_expired');
    // Remembered: the next request with these scopes needs no consent, even with prompt=none.
    expectCode(await authorizeGet(authorizeParams(client, { prompt: 'none' }), user.cookie));
  });

  it('approve adds the new scopes to the ones allowed before (union)', async () => {
    const user = await signedInUser();
    const first = expectHandle(await authorizeGet(authorizeParams(client, { scope: 'openid profile' }), user.cookie), '/consent');
    expectCode(await answer(first, true, user));
    const second = expectHandle(await authorizeGet(authorizeParams(client, { scope: 'openid email' }), user.cookie), '/consent');
    expectCode(await answer(second, true, user));
    expect((await consentRow(user.userId, client.id))!.scopes.sort()).toEqual(['email', 'openid', 'profile']);
  });

  it('deny: access_denied at the redirect URI with state and iss, audited, nothing remembered, no code', async () => {
    const user = await signedInUser();
    const handle = expectHandle(await authorizeGet(authorizeParams(client, { state: 'deny-state' }), user.cookie), '/consent');
    expectClientError(await answer(handle, false, user), 'access_denied', 'deny-state');
    expect(await consentRow(user.userId, client.id)).toBeNull();
    expect(await auditEvents('consent.denied', user.userId)).toEqual([
      { subject: client.id, outcome: 'success', details: { scopes: ['openid', 'profile'] } },
    ]);
    expect(await database.sql('SELECT 1 FROM grants WHERE user_id = $1', [user.userId])).toHaveLength(0);
    expectErrorPage(await answer(handle, true, user), 'request_expired');
  });

  it('without a session, the answer is refused and the browser goes back through sign-in', async () => {
    const user = await signedInUser();
    const handle = expectHandle(await authorizeGet(authorizeParams(client), user.cookie), '/consent');
    const response = await answer(handle, true, null);
    expect(response.headers.get('location')).toBe(`${ISSUER}/oauth/authorize/continue?request=${handle}`);
    expectHandle(await continueRequest(handle), '/sign-in');
    expect(await consentRow(user.userId, client.id)).toBeNull();
  });

  it('cannot skip a required sign-in: a prompt=login request answered with the old session is refused', async () => {
    const account = await newUser();
    const old = await signIn(account);
    const handle = expectHandle(await authorizeGet(authorizeParams(client, { prompt: 'login' }), old.cookie), '/sign-in');
    const refused = await answer(handle, true, old);
    expect(refused.headers.get('location')).toBe(`${ISSUER}/oauth/authorize/continue?request=${handle}`);
    expect(await consentRow(account.id, client.id)).toBeNull();
    await sleep(5);
    const fresh = await signIn(account);
    expectHandle(await continueRequest(handle, fresh.cookie), '/consent');
    expectCode(await answer(handle, true, fresh));
  });

  it('two concurrent approvals of one request yield exactly one code', async () => {
    const user = await signedInUser();
    const handle = expectHandle(await authorizeGet(authorizeParams(client), user.cookie), '/consent');
    const responses = await Promise.all(Array.from({ length: 5 }, () => answer(handle, true, user)));
    const withCode = responses.filter((response) => new URL(response.headers.get('location')!).searchParams.has('code'));
    expect(withCode).toHaveLength(1);
  });

  it('a request whose client was deleted meanwhile is answered on the error page', async () => {
    const user = await signedInUser();
    const doomed = await newClient();
    const handle = expectHandle(await authorizeGet(authorizeParams(doomed), user.cookie), '/consent');
    const { deleteClient } = await import('../../lib/oauth/clients/registration');
    await deleteClient(doomed.id);
    expectErrorPage(await answer(handle, true, user), 'invalid_client');
  });
});
