/**
 * oidcc-basic-certification-test-plan ("Basic OP"): response_type=code, client_secret_basic,
 * discovery, static client. One test per module of the plan, named after it, asserting what the
 * module sends and checks (docs/conformance.md has the map and the modules that do not apply).
 */
import { createHash } from 'node:crypto';
import { SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoveryDocument } from '../../lib/oauth/metadata';
import type { TestDatabase } from '../support/database';
import {
  authorizeGet,
  authorizePost,
  continueRequest,
  expectErrorPage,
  expectHandle,
  location,
  newUser,
  openAuthorizeTestDatabase,
  signIn,
  type SignedInUser,
} from './authorize-support';
import {
  approveConsentIfAsked,
  authorize,
  callUserinfo,
  codeExchange,
  completeFlow,
  expectStrongSecret,
  expectSuiteCode,
  expectSuiteError,
  expectTokenError,
  expectTokenResponse,
  expectValidIdToken,
  expectValidUserinfo,
  ISSUER,
  randomValue,
  REDIRECT_URI,
  suiteClient,
  suiteRequest,
  tokenRequest,
  type SuiteClient,
} from './conformance-support';

let database: TestDatabase;
let user: { id: string; email: string };
/** The plan's static client (client_secret_basic). */
let suite: SuiteClient;
/** The `client_secret_post` client of oidcc-server-client-secret-post. */
let postClient: SuiteClient;
/** The plan's second client (client2), used by oidcc-refresh-token. */
let client2: SuiteClient;

beforeAll(async () => {
  database = await openAuthorizeTestDatabase();
  user = await newUser();
  suite = await suiteClient();
  postClient = await suiteClient({ name: 'Conformance suite (client_secret_post)', tokenEndpointAuthMethod: 'client_secret_post' });
  client2 = await suiteClient({ name: 'Conformance suite (client2)' });
});
afterAll(() => database.close());

const discovery = () => discoveryDocument(ISSUER);

/** A browser in which the test user has just signed in. */
const browser = (): Promise<SignedInUser> => signIn(user);

/** Moves a session's authentication into the past, as the seconds the suite waits between two authorizations do. */
async function authenticatedSecondsAgo(session: SignedInUser, seconds: number): Promise<void> {
  await database.sql(`UPDATE sessions SET created_at = created_at - make_interval(secs => $2), authenticated_at = authenticated_at - make_interval(secs => $2) WHERE id = $1`, [session.sessionId, seconds]);
}

/** The browser signs in again at the sign-in page it was sent to and comes back through the continue route. */
async function signInAgainAndContinue(signInPage: URL, account = user): Promise<{ url: URL; session: SignedInUser }> {
  expect(`${signInPage.origin}${signInPage.pathname}`).toBe(`${ISSUER}/sign-in`);
  const session = await signIn(account);
  const handle = signInPage.searchParams.get('request')!;
  const url = await approveConsentIfAsked(location(await continueRequest(handle, session.cookie)), session);
  return { url, session };
}

describe('oidcc-basic-certification-test-plan', () => {
  it('oidcc-server: the happy flow, client_secret_basic, checked like the suite does', async () => {
    const fresh = await suiteClient(); // a registration this user has never consented to
    const session = await browser();
    const params = suiteRequest(fresh.client);
    // The consent page is shown, and approved.
    const consentPage = location(await authorizeGet(params, session.cookie));
    expect(consentPage.pathname).toBe('/consent');
    const code = expectSuiteCode(await approveConsentIfAsked(consentPage, session), params.get('state'));
    // EnsureMinimumAuthorizationCodeLength / …Entropy: 256 random bits, base64url.
    expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const tokens = expectTokenResponse(await codeExchange(fresh, code));
    const idToken = await expectValidIdToken(tokens.id_token, { client: fresh.client, nonce: params.get('nonce'), accessToken: tokens.access_token, code });
    expect(idToken.sub).toBe(user.id);
    expect(idToken.at_hash).toEqual(expect.any(String)); // present, and correct (checked above)
    expect(idToken.sid).toBe(session.sessionId);
    // The userinfo endpoint answers the access token (requestProtectedResource).
    expectValidUserinfo(await callUserinfo(tokens.access_token), idToken.sub);
  });

  it('oidcc-response-type-missing: no response_type is answered with invalid_request at the redirect URI', async () => {
    const params = suiteRequest(suite.client, { response_type: undefined });
    const url = location(await authorizeGet(params, (await browser()).cookie));
    const error = expectSuiteError(url, ['invalid_request', 'unsupported_response_type'], params.get('state'));
    expect(error.error).toBe('invalid_request');
  });

  it('oidcc-userinfo-get: GET with the access token in the Authorization header', async () => {
    const { tokens, idToken } = await completeFlow(suite, await browser());
    const body = expectValidUserinfo(await callUserinfo(tokens.access_token, 'get'), idToken.sub);
    expect(body).toEqual({ sub: user.id });
  });

  it('oidcc-userinfo-post-header: POST with the access token in the Authorization header', async () => {
    const { tokens, idToken } = await completeFlow(suite, await browser());
    expectValidUserinfo(await callUserinfo(tokens.access_token, 'post-header'), idToken.sub);
  });

  it('oidcc-userinfo-post-body: POST with the access token in the form body (supported, so no warning)', async () => {
    const { tokens, idToken } = await completeFlow(suite, await browser());
    expectValidUserinfo(await callUserinfo(tokens.access_token, 'post-body'), idToken.sub);
  });

  it('oidcc-ensure-request-without-nonce-succeeds-for-code-flow: a request without nonce gets a code, and an ID token without nonce', async () => {
    const { idToken } = await completeFlow(suite, await browser(), { nonce: undefined });
    expect(idToken).not.toHaveProperty('nonce');
  });

  it('oidcc-scope-profile: profile claims come from userinfo, not the ID token', async () => {
    expect(discovery().scopes_supported).toContain('profile'); // else the suite would skip the module
    const { tokens, idToken } = await completeFlow(suite, await browser(), { scope: 'openid profile' });
    const body = expectValidUserinfo(await callUserinfo(tokens.access_token), idToken.sub);
    expect(body).toEqual({ sub: user.id, name: 'Ada', updated_at: expect.any(Number) });
    // VerifyScopesReturnedInUserInfoClaims would like all fourteen profile claims: Optare holds
    // only name and updated_at (the one expected warning of the plan, docs/conformance.md).
    expect(idToken).not.toHaveProperty('updated_at');
  });

  it('oidcc-scope-email: email and email_verified from userinfo; neither email nor name in the ID token, no name in userinfo', async () => {
    expect(discovery().scopes_supported).toContain('email');
    const { tokens, idToken } = await completeFlow(suite, await browser(), { scope: 'openid email' });
    const body = expectValidUserinfo(await callUserinfo(tokens.access_token), idToken.sub);
    expect(body).toEqual({ sub: user.id, email: user.email, email_verified: false });
    expect(idToken).not.toHaveProperty('email');
  });

  it.each(['address', 'phone'])('oidcc-scope-%s: %s is not in scopes_supported, so the suite skips the module', (scope) => {
    expect(discovery().scopes_supported).not.toContain(scope);
  });

  it('oidcc-scope-all: address and phone are not in scopes_supported, so the suite skips the module', () => {
    const supported: readonly string[] = discovery().scopes_supported;
    expect(['address', 'email', 'phone', 'profile'].every((scope) => supported.includes(scope))).toBe(false);
  });

  it('oidcc-ensure-other-scope-order-succeeds: scope=email openid (reversed) succeeds like openid email', async () => {
    const { tokens, idToken } = await completeFlow(suite, await browser(), { scope: 'email openid' });
    expect(tokens.scope?.split(' ').sort()).toEqual(['email', 'openid']);
    expect(expectValidUserinfo(await callUserinfo(tokens.access_token), idToken.sub)).toEqual({ sub: user.id, email: user.email, email_verified: false });
    expect(idToken).not.toHaveProperty('email');
  });

  it.each(['page', 'popup'])('oidcc-display-%s: display=%s is accepted and the login page is shown', async (display) => {
    const params = suiteRequest(suite.client, { display });
    // The suite asks the tester to clear the OP's cookies first: no session, so the login page.
    const { url } = await signInAgainAndContinue(location(await authorizeGet(params)));
    expectSuiteCode(url, params.get('state'));
  });

  it('oidcc-prompt-login: a second authorization with prompt=login asks for a new login, and auth_time is strictly later', async () => {
    const session = await browser();
    // The suite's user takes seconds to log in again; auth_time has one-second resolution.
    await authenticatedSecondsAgo(session, 2);
    const first = await completeFlow(suite, session);
    const params = suiteRequest(suite.client, { prompt: 'login' });
    // The old session does not satisfy prompt=login: the login page is shown (a second time).
    const { url } = await signInAgainAndContinue(location(await authorizeGet(params, session.cookie)));
    const tokens = expectTokenResponse(await codeExchange(suite, expectSuiteCode(url, params.get('state'))));
    const second = await expectValidIdToken(tokens.id_token, { client: suite.client, nonce: params.get('nonce'), accessToken: tokens.access_token });
    // CheckIdTokenAuthTimeClaimsDifferIfPresent; the same user.
    expect(second.auth_time).toBeGreaterThan(first.idToken.auth_time);
    expect(second.sub).toBe(first.idToken.sub);
  });

  it('oidcc-prompt-none-not-logged-in: prompt=none without a session is login_required, with a 128-character state intact', async () => {
    const state = randomValue(128);
    const params = suiteRequest(suite.client, { prompt: 'none', state });
    const error = expectSuiteError(location(await authorizeGet(params)), ['login_required', 'interaction_required', 'consent_required', 'account_selection_required'], state);
    expect(error.error).toBe('login_required');
    expect(error.state).toHaveLength(128);
  });

  it('oidcc-prompt-none-logged-in: prompt=none with a session answers at once, with the same auth_time and sub', async () => {
    const session = await browser();
    const first = await completeFlow(suite, session);
    const second = await completeFlow(suite, session, { prompt: 'none' });
    expect(second.idToken.auth_time).toBe(first.idToken.auth_time);
    expect(second.idToken.sub).toBe(first.idToken.sub);
  });

  it('oidcc-max-age-1: after more than a second, max_age=1 asks for a new login; auth_time is present, later and recent', async () => {
    const session = await browser();
    await authenticatedSecondsAgo(session, 2); // WaitFor2Seconds after the first login
    const first = await completeFlow(suite, session);
    const params = suiteRequest(suite.client, { max_age: '1' });
    const { url } = await signInAgainAndContinue(location(await authorizeGet(params, session.cookie)));
    const tokens = expectTokenResponse(await codeExchange(suite, expectSuiteCode(url, params.get('state'))));
    const second = await expectValidIdToken(tokens.id_token, { client: suite.client, nonce: params.get('nonce'), accessToken: tokens.access_token });
    // CheckIdTokenAuthTimeClaimPresentDueToMaxAge, CheckSecondIdTokenAuthTimeIsLaterIfPresent, CheckIdTokenAuthTimeIsRecentIfPresent.
    expect(second.auth_time).toBeGreaterThan(first.idToken.auth_time);
    expect(Math.abs(Date.now() / 1000 - second.auth_time)).toBeLessThan(60);
  });

  it('oidcc-max-age-10000: max_age=15000 then max_age=10000 with a session: no login, auth_time present and equal', async () => {
    const session = await browser();
    const first = await completeFlow(suite, session, { max_age: '15000' });
    const second = await completeFlow(suite, session, { max_age: '10000' });
    expect(second.idToken.auth_time).toBe(first.idToken.auth_time);
    expect(second.idToken.sub).toBe(first.idToken.sub);
  });

  it('oidcc-ensure-request-with-unknown-parameter-succeeds: extra=foobar is ignored', async () => {
    await completeFlow(suite, await browser(), { extra: 'foobar' });
  });

  it('oidcc-id-token-hint: prompt=none with the first ID token as id_token_hint answers at once, same auth_time and sub', async () => {
    const session = await browser();
    const first = await completeFlow(suite, session);
    const second = await completeFlow(suite, session, { prompt: 'none', id_token_hint: first.tokens.id_token });
    expect(second.idToken.auth_time).toBe(first.idToken.auth_time);
    expect(second.idToken.sub).toBe(first.idToken.sub);
  });

  it('oidcc-login-hint: login_hint (buffy@<issuer host>) shows the login page, no error', async () => {
    const params = suiteRequest(suite.client, { login_hint: `buffy@${new URL(ISSUER).hostname}` });
    const { url } = await signInAgainAndContinue(location(await authorizeGet(params)));
    expectSuiteCode(url, params.get('state'));
  });

  it('oidcc-ui-locales: ui_locales=se does not cause an error', async () => {
    const params = suiteRequest(suite.client, { ui_locales: 'se' });
    const { url } = await signInAgainAndContinue(location(await authorizeGet(params)));
    expectSuiteCode(url, params.get('state'));
  });

  it('oidcc-claims-locales: claims_locales=se does not cause an error', async () => {
    await completeFlow(suite, await browser(), { claims_locales: 'se' });
  });

  it('oidcc-ensure-request-with-acr-values-succeeds: the advertised acr_values succeed, and the ID token names one of them', async () => {
    const supported = discovery().acr_values_supported as string[];
    expect(supported.length).toBeGreaterThan(0);
    // The suite sends the advertised values (or "1 2" when none are); ValidateIdTokenACRClaimAgainstAcrValuesRequest
    // wants the ID token's acr among them. The user has no second factor: single-factor is what was done.
    const { idToken } = await completeFlow(suite, await browser(), { acr_values: supported.join(' ') });
    expect(supported).toContain(idToken.acr);
    const unknown = await completeFlow(suite, await browser(), { acr_values: '1 2' });
    expect(typeof unknown.idToken.acr).toBe('string');
  });

  it('oidcc-codereuse: a second use of the code is invalid_grant', async () => {
    const { code } = await completeFlow(suite, await browser());
    expectTokenError(await codeExchange(suite, code), 'invalid_grant');
  });

  it('oidcc-codereuse-30seconds: 30 s later the code is invalid_grant and the first access token is revoked', async () => {
    const { code, tokens, idToken } = await completeFlow(suite, await browser());
    expectValidUserinfo(await callUserinfo(tokens.access_token), idToken.sub);
    const later = new Date(Date.now() + 30_000); // WaitFor30Seconds
    expectTokenError(await codeExchange(suite, code, {}, { now: later }), 'invalid_grant');
    // CallProtectedResourceWithBearerTokenExpectingError: a warning unless the token stopped working.
    const after = await callUserinfo(tokens.access_token, 'get', later);
    expect(after.status).toBe(401);
    expect(after.body.error).toBe('invalid_token');
  });

  it('oidcc-ensure-registered-redirect-uri: an unregistered redirect URI is shown an error page, never redirected to', async () => {
    const random = `https://app.example.test/test/a/${randomValue(12)}/callback`;
    for (const cookie of [undefined, (await browser()).cookie]) {
      expectErrorPage(await authorizeGet(suiteRequest(suite.client, { redirect_uri: random }), cookie), 'invalid_redirect_uri');
    }
  });

  it('oidcc-ensure-post-request-succeeds: the authorization request as a form POST is answered 303 (never 307) and completes', async () => {
    const session = await browser();
    const params = suiteRequest(suite.client);
    const response = await authorizePost(params, session.cookie);
    expect(response.status).toBe(303);
    const handle = expectHandle(response, '/oauth/authorize/continue');
    const url = await approveConsentIfAsked(location(await continueRequest(handle, session.cookie)), session);
    expectTokenResponse(await codeExchange(suite, expectSuiteCode(url, params.get('state'))));
  });

  it('oidcc-server-client-secret-post: the happy flow with client_secret_post', async () => {
    const { idToken, tokens } = await completeFlow(postClient, await browser(), {}, { method: 'client_secret_post' });
    expectValidUserinfo(await callUserinfo(tokens.access_token), idToken.sub);
    // The client registered for client_secret_post cannot use Basic instead.
    const again = await completeFlow(postClient, await browser(), {}, { method: 'client_secret_post' });
    expect(again.idToken.sub).toBe(user.id);
    const { code } = await authorizeCode(postClient);
    const basic = await codeExchange(postClient, code, {}, { method: 'client_secret_basic' });
    expect(basic.status).toBe(401);
    expect(basic.body.error).toBe('invalid_client');
  });

  it('oidcc-request-uri-unsigned-supported-correctly-or-rejected-as-unsupported: request_uri is request_uri_not_supported', async () => {
    // The suite puts state only inside the request object, so none comes back.
    const params = suiteRequest(suite.client, { state: undefined, nonce: undefined, request_uri: 'https://suite.example.test/test/a/alias/requesturi/abc' });
    expectSuiteError(location(await authorizeGet(params, (await browser()).cookie)), 'request_uri_not_supported', null);
    expect(discovery().request_uri_parameter_supported).toBe(false);
  });

  it('oidcc-unsigned-request-object-supported-correctly-or-rejected-as-unsupported: request is request_not_supported', async () => {
    const requestObject = new UnsecuredJWT({ ...Object.fromEntries(suiteRequest(suite.client)), iss: suite.client.id, aud: ISSUER }).encode();
    const params = suiteRequest(suite.client, { state: undefined, nonce: undefined, request: requestObject });
    expectSuiteError(location(await authorizeGet(params, (await browser()).cookie)), 'request_not_supported', null);
    expect(discovery().request_parameter_supported).toBe(false);
  });

  it('oidcc-claims-essential: name requested as essential for userinfo (scope=openid) is released once the user consents to it', async () => {
    const fresh = await suiteClient(); // no consent from this user yet
    const session = await browser();
    const params = suiteRequest(fresh.client, { claims: JSON.stringify({ userinfo: { name: { essential: true } } }) });
    // name is a profile claim: the consent page asks for profile (claims-beyond-consent.test.ts).
    const consentPage = location(await authorizeGet(params, session.cookie));
    expect(consentPage.pathname).toBe('/consent');
    const code = expectSuiteCode(await approveConsentIfAsked(consentPage, session), params.get('state'));
    const tokens = expectTokenResponse(await codeExchange(fresh, code));
    expect(tokens.scope).toBe('openid profile');
    const idToken = await expectValidIdToken(tokens.id_token, { client: fresh.client, nonce: params.get('nonce'), accessToken: tokens.access_token });
    // EnsureUserInfoContainsName, and EnsureIdTokenDoesNotContainName (it was asked for userinfo only).
    expect(expectValidUserinfo(await callUserinfo(tokens.access_token), idToken.sub).name).toBe('Ada');
    expect(idToken).not.toHaveProperty('name');
  });

  it('oidcc-ensure-request-object-with-redirect-uri: an invalid redirect_uri beside a request object is shown an error page', async () => {
    const requestObject = new UnsecuredJWT({ ...Object.fromEntries(suiteRequest(suite.client)), iss: suite.client.id, aud: ISSUER }).encode();
    const params = suiteRequest(suite.client, { state: undefined, nonce: undefined, request: requestObject, redirect_uri: `${REDIRECT_URI}/invalid` });
    // Never request_not_supported at the registered redirect URI (EnsureOPDoesNotUseDefaultRedirectUriInCaseOfInvalidRedirectUri).
    expectErrorPage(await authorizeGet(params, (await browser()).cookie), 'invalid_redirect_uri');
  });

  it('oidcc-refresh-token: offline_access with prompt=consent yields a strong refresh token that refreshes, bound to its client', async () => {
    expect(discovery().scopes_supported).toContain('offline_access');
    expect(discovery().grant_types_supported).toContain('refresh_token');
    const session = await browser();
    const tokensOf = async (client: SuiteClient) => {
      const params = suiteRequest(client.client, { scope: 'openid offline_access', prompt: 'consent' });
      // prompt=consent shows the consent page even when consent was given before.
      const consentPage = location(await authorizeGet(params, session.cookie));
      expect(consentPage.pathname).toBe('/consent');
      const code = expectSuiteCode(await approveConsentIfAsked(consentPage, session), params.get('state'));
      const tokens = expectTokenResponse(await codeExchange(client, code));
      const idToken = await expectValidIdToken(tokens.id_token, { client: client.client, nonce: params.get('nonce'), accessToken: tokens.access_token });
      expect(tokens.refresh_token).toEqual(expect.any(String));
      expectStrongSecret(tokens.refresh_token!);
      return { tokens, idToken };
    };

    const first = await tokensOf(suite);
    const oneSecondLater = new Date(Date.now() + 1000); // WaitForOneSecond, so that iat differs
    const refreshed = await tokenRequest(suite, { grant_type: 'refresh_token', refresh_token: first.tokens.refresh_token!, scope: 'openid offline_access' }, { now: oneSecondLater });
    const second = expectTokenResponse(refreshed);
    expect(second.access_token).not.toBe(first.tokens.access_token); // EnsureAccessTokenValuesAreDifferent
    expectStrongSecret(second.refresh_token!);
    // CompareIdTokenClaims (OIDC Core §12.2).
    const secondIdToken = await expectValidIdToken(second.id_token, { client: suite.client, nonce: null, accessToken: second.access_token, now: oneSecondLater });
    expect(secondIdToken).toMatchObject({ iss: first.idToken.iss, sub: first.idToken.sub, aud: first.idToken.aud, auth_time: first.idToken.auth_time });
    expect(secondIdToken.iat).not.toBe(first.idToken.iat);
    expect(first.idToken).not.toHaveProperty('azp');
    expect(secondIdToken).not.toHaveProperty('azp');
    expectValidUserinfo(await callUserinfo(second.access_token, 'get', oneSecondLater), first.idToken.sub);

    // Second client: its refresh token presented by the first client is invalid_grant.
    const other = await tokensOf(client2);
    expectTokenError(await tokenRequest(suite, { grant_type: 'refresh_token', refresh_token: other.tokens.refresh_token!, scope: 'openid offline_access' }), 'invalid_grant');
    // …and stays usable by its own client.
    expectTokenResponse(await tokenRequest(client2, { grant_type: 'refresh_token', refresh_token: other.tokens.refresh_token! }));
  });

  it('oidcc-ensure-request-with-valid-pkce-succeeds: an S256 challenge and its verifier succeed', async () => {
    const verifier = randomValue(64);
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    await completeFlow(suite, await browser(), { code_challenge: challenge, code_challenge_method: 'S256' }, { tokenExtra: { code_verifier: verifier } });
  });
});

describe('oidcc-basic-certification-test-plan: details every module relies on', () => {
  it('error_description of every authorization error the plan provokes stays within RFC 6749 characters', async () => {
    const cookie = (await browser()).cookie;
    const cases: Record<string, string | undefined>[] = [
      { response_type: undefined },
      { response_type: 'token' },
      { scope: 'openid address' },
      { prompt: 'none login' },
      { max_age: '-1' },
      { claims: '{' },
      { request: 'x' },
      { request_uri: 'https://x.example' },
      { id_token_hint: 'not-a-jwt' },
      { response_mode: 'fragment' },
    ];
    for (const overrides of cases) {
      const params = suiteRequest(suite.client, overrides);
      const url = location(await authorizeGet(params, cookie));
      expect(url.searchParams.get('error')).toBeTruthy();
      expectSuiteError(url, url.searchParams.get('error')!, params.get('state'));
    }
  });

  it('an id_token_hint signed by anyone else (here HS256 with the client secret) is refused', async () => {
    const forged = await new SignJWT({ iss: ISSUER, sub: user.id, aud: suite.client.id })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(suite.secret));
    const params = suiteRequest(suite.client, { prompt: 'none', id_token_hint: forged });
    expectSuiteError(location(await authorizeGet(params, (await browser()).cookie)), 'invalid_request', params.get('state'));
  });
});

/** A fresh code for `client`, consent approved. */
async function authorizeCode(client: SuiteClient): Promise<{ code: string }> {
  const params = suiteRequest(client.client);
  return { code: expectSuiteCode(await authorize(params, await browser()), params.get('state')) };
}
