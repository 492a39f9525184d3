/**
 * oidcc-rp-initiated-logout-certification-test-plan ("RP-Initiated OP"): every module, named after
 * it. Each one first signs in through the authorization code flow like the Basic plan (so the
 * ID token carries the session's sid), then sends the browser to the end_session_endpoint with
 * the module's parameters, and checks where the browser goes and whether the session ended.
 */
import type { ProtocolResponse } from '../../lib/http/protocol-message';
import type { AnyResponse } from './hostile-input.payloads';
import { SignJWT, decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionCookie } from '../../lib/auth/sessions';
import { confirmLogout } from '../../lib/oauth/endpoints/logout';
import { logoutEndpoint } from '../../lib/oauth/endpoints/logout';
import { discoveryDocument } from '../../lib/oauth/metadata';
import type { TestDatabase } from '../support/database';
import { authorizeGet, expectErrorPage, location, newUser, openAuthorizeTestDatabase, signIn, type SignedInUser } from './authorize-support';
import {
  completeFlow,
  expectSuiteError,
  ISSUER,
  POST_LOGOUT_REDIRECT_URI,
  randomValue,
  suiteClient,
  suiteRequest,
  type SuiteClient,
} from './conformance-support';

const SIGNED_OUT_PAGE = `${ISSUER}/oauth/logout/done`;

let database: TestDatabase;
let user: { id: string; email: string };
let suite: SuiteClient;
beforeAll(async () => {
  database = await openAuthorizeTestDatabase();
  user = await newUser();
  suite = await suiteClient();
});
afterAll(() => database.close());

/** A browser signed in through the suite's first authorization, with the ID token it got. */
async function signedInThroughSuite(): Promise<{ browser: SignedInUser; idToken: string }> {
  const browser = await signIn(user);
  // AbstractOIDCCRpInitiatedLogout uses a 128-character state to check the OP keeps it intact.
  const { tokens } = await completeFlow(suite, browser, { state: randomValue(128) });
  expect(decodeJwt(tokens.id_token).sid).toBe(browser.sessionId);
  return { browser, idToken: tokens.id_token };
}

/** The browser redirected to the end_session_endpoint (BuildRedirectToEndSessionEndpoint: a GET). */
function endSession(params: Record<string, string>, browser?: SignedInUser): Promise<ProtocolResponse> {
  const query = new URLSearchParams(params).toString();
  return logoutEndpoint(new Request(`${ISSUER}/oauth/logout${query ? `?${query}` : ''}`, { headers: browser ? { cookie: browser.cookie } : {} }));
}

async function sessionExists(browser: SignedInUser): Promise<boolean> {
  return (await database.sql('SELECT 1 FROM sessions WHERE id = $1', [browser.sessionId])).length === 1;
}

function expectCookieCleared(response: AnyResponse): void {
  expect(response.headers.get('set-cookie') ?? '').toMatch(new RegExp(`^${sessionCookie().name}=;.*Max-Age=0`));
}

/** The second authorization of the logout modules: prompt=none must now need the user (login_required). */
async function expectLoggedOut(browser: SignedInUser): Promise<void> {
  const state = randomValue(128);
  const params = suiteRequest(suite.client, { prompt: 'none', state });
  const error = expectSuiteError(location(await authorizeGet(params, browser.cookie)), ['login_required', 'interaction_required', 'consent_required', 'account_selection_required'], state);
  expect(error.error).toBe('login_required');
}

/** The confirmation page the browser was sent to; the user confirms; returns where the browser goes. */
async function confirmOnPage(response: AnyResponse, browser: SignedInUser): Promise<string> {
  const page = location(response);
  expect(`${page.origin}${page.pathname}`).toBe(`${ISSUER}/oauth/logout/confirm`);
  expect(response.headers.get('set-cookie')).toBeNull();
  expect(await sessionExists(browser)).toBe(true); // nothing ends before the user confirms
  const confirmed = await confirmLogout(page.searchParams.get('logout'), new Request(`${ISSUER}/oauth/logout/end`, { method: 'POST', headers: { cookie: browser.cookie } }));
  expect(confirmed.clearCookie).toBe(true);
  return confirmed.redirectTo;
}

/** The suite's "bad id_token_hint": the real ID token's claims, signed by the suite (HS256 with the client secret). */
async function suiteSignedIdToken(idToken: string): Promise<string> {
  return new SignJWT(decodeJwt(idToken)).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(suite.secret));
}

/** ChangeIdTokenToAlgNone: the same claims, header alg "none", no signature. */
function algNone(idToken: string): string {
  const [, payload] = idToken.split('.');
  return `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
}

describe('oidcc-rp-initiated-logout-certification-test-plan', () => {
  it('oidcc-rp-initiated-logout-discovery-endpoint-verification: end_session_endpoint is advertised, https, and every endpoint is https', () => {
    const document = discoveryDocument(ISSUER);
    expect(document.end_session_endpoint).toBe(`${ISSUER}/oauth/logout`);
    for (const [name, value] of Object.entries(document)) {
      if (name.endsWith('_endpoint')) expect(new URL(value as string).protocol).toBe('https:');
    }
  });

  it('oidcc-rp-initiated-logout: ends the session, returns to post_logout_redirect_uri with the state intact and nothing else; prompt=none then fails', async () => {
    const { browser, idToken } = await signedInThroughSuite();
    const state = randomValue(128);
    const response = await endSession({ id_token_hint: idToken, post_logout_redirect_uri: POST_LOGOUT_REDIRECT_URI, state }, browser);
    const back = location(response);
    // CheckPostLogoutState, CheckForUnexpectedParametersInPostLogoutRedirect.
    expect(`${back.origin}${back.pathname}`).toBe(POST_LOGOUT_REDIRECT_URI);
    expect([...back.searchParams]).toEqual([['state', state]]);
    expectCookieCleared(response);
    expect(await sessionExists(browser)).toBe(false);
    await expectLoggedOut(browser);
  });

  it('oidcc-rp-initiated-logout-bad-post-logout-redirect-uri: an unregistered URI is an error page; no redirect, no logout', async () => {
    const { browser, idToken } = await signedInThroughSuite();
    const response = await endSession({ id_token_hint: idToken, post_logout_redirect_uri: 'https://app.example.test/test/a/alias/bad_post_logout_redirect', state: randomValue() }, browser);
    expectErrorPage(response, 'invalid_logout_request');
    expect(await sessionExists(browser)).toBe(true);
  });

  it('oidcc-rp-initiated-logout-modified-id-token-hint: the ID token turned into alg none is an error page; no redirect', async () => {
    const { browser, idToken } = await signedInThroughSuite();
    const response = await endSession({ id_token_hint: algNone(idToken), post_logout_redirect_uri: POST_LOGOUT_REDIRECT_URI, state: randomValue() }, browser);
    expectErrorPage(response, 'invalid_logout_request');
    expect(await sessionExists(browser)).toBe(true);
  });

  it('oidcc-rp-initiated-logout-no-id-token-hint: the user is asked to confirm, and is never sent to the unverified post_logout_redirect_uri', async () => {
    const { browser } = await signedInThroughSuite();
    const response = await endSession({ post_logout_redirect_uri: POST_LOGOUT_REDIRECT_URI, state: randomValue() }, browser);
    expect(await confirmOnPage(response, browser)).toBe(SIGNED_OUT_PAGE);
    expect(await sessionExists(browser)).toBe(false);
  });

  it('oidcc-rp-initiated-logout-no-params: confirmation, then the signed-out page', async () => {
    const { browser } = await signedInThroughSuite();
    expect(await confirmOnPage(await endSession({}, browser), browser)).toBe(SIGNED_OUT_PAGE);
    expect(await sessionExists(browser)).toBe(false);
    await expectLoggedOut(browser);
  });

  it('oidcc-rp-initiated-logout-no-post-logout-redirect-uri: with id_token_hint the session ends at once, on the signed-out page', async () => {
    const { browser, idToken } = await signedInThroughSuite();
    const response = await endSession({ id_token_hint: idToken, state: randomValue() }, browser);
    expect(location(response).href).toBe(SIGNED_OUT_PAGE);
    expectCookieCleared(response);
    expect(await sessionExists(browser)).toBe(false);
  });

  it('oidcc-rp-initiated-logout-no-state: returns to post_logout_redirect_uri with no state and no other parameter (CheckNoPostLogoutState)', async () => {
    const { browser, idToken } = await signedInThroughSuite();
    const response = await endSession({ id_token_hint: idToken, post_logout_redirect_uri: POST_LOGOUT_REDIRECT_URI }, browser);
    expect(location(response).href).toBe(POST_LOGOUT_REDIRECT_URI);
    expect(await sessionExists(browser)).toBe(false);
    await expectLoggedOut(browser);
  });

  it('oidcc-rp-initiated-logout-only-state: confirmation, then the signed-out page; the state goes nowhere', async () => {
    const { browser } = await signedInThroughSuite();
    const state = randomValue();
    const redirectTo = await confirmOnPage(await endSession({ state }, browser), browser);
    expect(redirectTo).toBe(SIGNED_OUT_PAGE);
    expect(redirectTo).not.toContain(state);
    expect(await sessionExists(browser)).toBe(false);
  });

  it('oidcc-rp-initiated-logout-query-added-to-post-logout-redirect-uri: the registered URI plus ?foo=bar is an error page', async () => {
    const { browser, idToken } = await signedInThroughSuite();
    const response = await endSession({ id_token_hint: idToken, post_logout_redirect_uri: `${POST_LOGOUT_REDIRECT_URI}?foo=bar`, state: randomValue() }, browser);
    expectErrorPage(response, 'invalid_logout_request');
    expect(await sessionExists(browser)).toBe(true);
  });

  it('oidcc-rp-initiated-logout-bad-id-token-hint: an ID token signed by the suite is an error page; no redirect, no logout', async () => {
    const { browser, idToken } = await signedInThroughSuite();
    const response = await endSession({ id_token_hint: await suiteSignedIdToken(idToken), post_logout_redirect_uri: POST_LOGOUT_REDIRECT_URI, state: randomValue() }, browser);
    expectErrorPage(response, 'invalid_logout_request');
    expect(await sessionExists(browser)).toBe(true);
  });
});
