/**
 * Privacy regression: the OIDC `claims` request parameter must never release a claim the user did
 * not consent to. A claim named there is released only when its scope was granted; a claim the
 * requested scopes do not cover turns into a request for its scope, which the consent page shows
 * (docs/decisions.md, "Claims requested with the claims parameter").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateSessionToken } from '../../lib/auth/sessions';
import { addConsentScopes } from '../../lib/db/consents';
import { answerConsent, consentPrompt } from '../../lib/oauth/authorize/consent';
import { issueAuthorizationCode } from '../../lib/oauth/grants/authorization-code';
import { SCOPE_DESCRIPTIONS } from '../../lib/oauth/scopes';
import { testContext } from '../support/context';
import type { TestDatabase } from '../support/database';
import { authorizeGet, location, newUser, openAuthorizeTestDatabase, signIn, type SignedInUser } from './authorize-support';
import {
  approveConsentIfAsked,
  callUserinfo,
  codeExchange,
  expectSuiteCode,
  expectSuiteError,
  expectTokenResponse,
  expectValidIdToken,
  REDIRECT_URI,
  suiteClient,
  suiteRequest,
  tokenRequest,
  type SuiteClient,
} from './conformance-support';

let database: TestDatabase;
let user: { id: string; email: string };
beforeAll(async () => {
  database = await openAuthorizeTestDatabase();
  user = await newUser();
});
afterAll(() => database.close());

const ALL_CLAIMS = JSON.stringify({
  userinfo: { name: null, updated_at: null, email: { essential: true }, email_verified: null },
  id_token: { name: { essential: true }, email: null, email_verified: null },
});

async function sessionOf(browser: SignedInUser) {
  return validateSessionToken(browser.token, testContext());
}

/** The consent page's scopes for the request the browser was sent there with. */
async function consentScopes(consentPage: URL, browser: SignedInUser): Promise<string[]> {
  expect(consentPage.pathname).toBe('/consent');
  const prompt = await consentPrompt(consentPage.searchParams.get('request'), await sessionOf(browser), new Date());
  if (!prompt.show) throw new Error(`no consent page: ${prompt.redirectTo}`);
  return prompt.scopes.map(({ scope }) => scope);
}

/** Tokens for a code, with the ID token verified and decoded. */
async function tokensFor(suite: SuiteClient, code: string, nonce: string | null) {
  const tokens = expectTokenResponse(await codeExchange(suite, code));
  const idToken = await expectValidIdToken(tokens.id_token, { client: suite.client, nonce, accessToken: tokens.access_token, allowName: true });
  const userinfo = await callUserinfo(tokens.access_token);
  expect(userinfo.status).toBe(200);
  return { tokens, idToken, userinfo: userinfo.body };
}

describe('claims requested with the claims parameter', () => {
  it('a claim of a scope the client may not request is released neither by userinfo nor in the ID token', async () => {
    const suite = await suiteClient({ scopes: ['openid', 'profile'] });
    const browser = await signIn(user);
    const params = suiteRequest(suite.client, { claims: ALL_CLAIMS });
    const consentPage = location(await authorizeGet(params, browser.cookie));
    // The user is asked for profile (name), never for email: the client may not have it.
    expect(await consentScopes(consentPage, browser)).toEqual(['openid', 'profile']);
    const code = expectSuiteCode(await approveConsentIfAsked(consentPage, browser), params.get('state'));
    const { tokens, idToken, userinfo } = await tokensFor(suite, code, params.get('nonce'));
    expect(tokens.scope).toBe('openid profile');
    expect(userinfo).toEqual({ sub: user.id, name: 'Ada', updated_at: expect.any(Number) });
    expect(idToken.name).toBe('Ada');
    for (const claim of ['email', 'email_verified']) {
      expect(userinfo).not.toHaveProperty(claim);
      expect(idToken).not.toHaveProperty(claim);
    }
  });

  it('the consent page lists the scope of every claim asked for; without that consent prompt=none is consent_required', async () => {
    const suite = await suiteClient();
    const browser = await signIn(user);
    await addConsentScopes(user.id, suite.client.id, ['openid']);
    const claims = JSON.stringify({ id_token: { email: null } });
    const silent = suiteRequest(suite.client, { prompt: 'none', claims });
    expectSuiteError(location(await authorizeGet(silent, browser.cookie)), 'consent_required', silent.get('state'));

    const params = suiteRequest(suite.client, { claims });
    const consentPage = location(await authorizeGet(params, browser.cookie));
    expect(await consentScopes(consentPage, browser)).toEqual(['openid', 'email']);
    const prompt = await consentPrompt(consentPage.searchParams.get('request'), await sessionOf(browser), new Date());
    expect(prompt.show && prompt.scopes[1]).toEqual({ scope: 'email', description: SCOPE_DESCRIPTIONS.email });
  });

  it('denied, nothing is released: the client gets access_denied', async () => {
    const suite = await suiteClient();
    const browser = await signIn(user);
    const params = suiteRequest(suite.client, { claims: ALL_CLAIMS });
    const consentPage = location(await authorizeGet(params, browser.cookie));
    const denied = await answerConsent({
      handle: consentPage.searchParams.get('request'),
      approve: false,
      session: await sessionOf(browser),
      context: testContext(),
      now: new Date(),
    });
    expectSuiteError(new URL(denied), 'access_denied', params.get('state'));
  });

  it('approved, the claims asked for are released, the ID token holding only those its member names', async () => {
    const suite = await suiteClient();
    const browser = await signIn(user);
    const params = suiteRequest(suite.client, { claims: JSON.stringify({ userinfo: { email: null }, id_token: { name: null } }) });
    const code = expectSuiteCode(await approveConsentIfAsked(location(await authorizeGet(params, browser.cookie)), browser), params.get('state'));
    const { tokens, idToken, userinfo } = await tokensFor(suite, code, params.get('nonce'));
    expect(tokens.scope).toBe('openid email profile');
    expect(userinfo).toMatchObject({ sub: user.id, email: user.email, name: 'Ada' });
    expect(idToken.name).toBe('Ada');
    expect(idToken).not.toHaveProperty('email');
  });

  it('a grant holding claims beyond its scopes (as one stored before this rule) releases none of them', async () => {
    const suite = await suiteClient();
    const code = await issueAuthorizationCode({
      clientId: suite.client.id,
      userId: user.id,
      sessionId: null,
      scopes: ['openid'],
      authTime: new Date(),
      amr: ['pwd'],
      acr: null,
      nonce: null,
      claims: JSON.parse(ALL_CLAIMS),
      redirectUri: REDIRECT_URI,
      codeChallenge: null,
      codeChallengeMethod: null,
    });
    const { idToken, userinfo } = await tokensFor(suite, code, null);
    expect(userinfo).toEqual({ sub: user.id });
    for (const claim of ['name', 'email', 'email_verified', 'updated_at']) expect(idToken).not.toHaveProperty(claim);
  });

  it('a refresh that narrows the scope narrows the claims of the new ID token too', async () => {
    const suite = await suiteClient();
    const code = await issueAuthorizationCode({
      clientId: suite.client.id,
      userId: user.id,
      sessionId: null,
      scopes: ['openid', 'profile', 'email', 'offline_access'],
      authTime: new Date(),
      amr: ['pwd'],
      acr: null,
      nonce: null,
      claims: { id_token: { name: null, email: null } },
      redirectUri: REDIRECT_URI,
      codeChallenge: null,
      codeChallengeMethod: null,
    });
    const { tokens, idToken } = await tokensFor(suite, code, null);
    expect(idToken).toMatchObject({ name: 'Ada', email: user.email });
    const refreshed = expectTokenResponse(
      await tokenRequest(suite, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token!, scope: 'openid profile offline_access' }),
    );
    const narrowed = await expectValidIdToken(refreshed.id_token, { client: suite.client, nonce: null, allowName: true });
    expect(narrowed.name).toBe('Ada');
    expect(narrowed).not.toHaveProperty('email');
  });

  it('a first-party client skips the consent page but still gets no claim of a scope it may not request', async () => {
    const suite = await suiteClient({ firstParty: true, scopes: ['openid', 'email'] });
    const browser = await signIn(user);
    const params = suiteRequest(suite.client, { claims: ALL_CLAIMS });
    const code = expectSuiteCode(location(await authorizeGet(params, browser.cookie)), params.get('state'));
    const { tokens, idToken, userinfo } = await tokensFor(suite, code, params.get('nonce'));
    expect(tokens.scope).toBe('openid email');
    expect(userinfo).toEqual({ sub: user.id, email: user.email, email_verified: false });
    expect(idToken).toMatchObject({ email: user.email, email_verified: false });
    expect(idToken).not.toHaveProperty('name');
  });

  it('without openid the claims parameter adds no scope', async () => {
    const suite = await suiteClient();
    const browser = await signIn(user);
    await addConsentScopes(user.id, suite.client.id, ['email']);
    const params = suiteRequest(suite.client, { scope: 'email', nonce: undefined, claims: ALL_CLAIMS });
    const code = expectSuiteCode(location(await authorizeGet(params, browser.cookie)), params.get('state'));
    const answer = await codeExchange(suite, code);
    expect(answer.status).toBe(200);
    expect(answer.body.scope).toBe('email');
    expect(answer.body).not.toHaveProperty('id_token');
  });
});
