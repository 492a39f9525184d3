import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { Page } from '@playwright/test';
import * as oidc from 'openid-client';
import { createAccount, expect, newAccount, test } from './pages/fixtures';
import { SecondFactorPage } from './pages/second-factor-page';
import { SecurityPage } from './pages/security-page';
import { AuthenticatorApp } from './support/authenticator-app';
import { optareCli } from './support/optare-cli';
import { VirtualAuthenticator } from './support/virtual-authenticator';

/**
 * What relying parties see and can ask for: openid-client (a certified RP library) sends the
 * browser to Optare with acr_values or max_age, the browser does the user's part, and the ID
 * token's amr, acr and auth_time are checked. The redirect URI is a tiny local server.
 */

const ACR_MFA = 'urn:optare:acr:mfa';
const ACR_SFA = 'urn:optare:acr:sfa';

class CallbackServer {
  private server!: http.Server;
  origin = '';

  async start(): Promise<void> {
    this.server = http.createServer((request, response) => {
      if (request.url === '/favicon.ico') {
        response.writeHead(204).end();
        return;
      }
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      response.end('<!doctype html><title>Relying party</title><h1>Back at the app</h1>');
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  get redirectUri(): string {
    return `${this.origin}/callback`;
  }
}

const rp = new CallbackServer();
let config: oidc.Configuration;

test.beforeAll(async ({}, testInfo) => {
  await rp.start();
  const created = optareCli(testInfo, [
    'client', 'create',
    '--name', `Step-up RP ${randomBytes(3).toString('hex')}`,
    '--first-party',
    '--redirect-uri', rp.redirectUri,
    '--scope', 'openid', '--scope', 'profile',
  ]) as { clientId: string; clientSecret: string };
  const base = testInfo.project.use.baseURL!;
  config = await oidc.discovery(new URL(base), created.clientId, created.clientSecret, oidc.ClientSecretBasic(created.clientSecret), {
    execute: [oidc.allowInsecureRequests],
  });
});
test.afterAll(() => rp.stop());

/**
 * Starts an authorization request in the browser; `userPart` does whatever Optare asks of the
 * user; then the code is exchanged and the validated ID token claims returned.
 */
async function authorize(page: Page, params: Record<string, string>, userPart: () => Promise<void> = async () => {}) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: rp.redirectUri,
    scope: 'openid',
    state,
    nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ...params,
  });
  await page.goto(url.href);
  await userPart();
  await page.waitForURL(`${rp.redirectUri}?**`);
  const tokens = await oidc.authorizationCodeGrant(config, new URL(page.url()), {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
    idTokenExpected: true,
  });
  return tokens.claims()!;
}

/** auth_time has a resolution of one second: let one pass between authentications. */
const nextSecond = (page: Page) => page.waitForTimeout(1100);

test.describe('step-up and re-authentication for relying parties', () => {
  test.setTimeout(120_000);

  test('acr_values asking for MFA sends a password-only session to the second step; the ID token says mfa', async ({ page }) => {
    const account = newAccount();
    await createAccount(page.request, account);
    const security = new SecurityPage(page);
    await security.goto();
    const app = new AuthenticatorApp(await security.startTotpSetup());
    await security.confirmTotp(await app.nextCode());
    await expect(security.status(security.authenticatorApp)).toHaveText('Authenticator app turned on.');

    // The session is the sign-up's: the password alone.
    const first = await authorize(page, {});
    expect(first.amr).toEqual(['pwd']);
    expect(first.acr).toBe(ACR_SFA);
    await nextSecond(page);

    const stepped = await authorize(page, { acr_values: ACR_MFA }, async () => {
      await expect(page).toHaveURL(/\/sign-in\/second-factor\?request=[A-Za-z0-9_-]{43}$/);
      await expect(page.getByText('This app asks you to confirm it’s you with your second factor.')).toBeVisible();
      // A step-up never offers to skip the second factor next time.
      await expect(new SecondFactorPage(page).rememberBrowser).toHaveCount(0);
      await new SecondFactorPage(page).submitCode(await app.nextCode());
    });
    expect(stepped.amr).toEqual(expect.arrayContaining(['pwd', 'otp', 'mfa']));
    expect(stepped.acr).toBe(ACR_MFA);
    expect(stepped.auth_time).toBeGreaterThan(first.auth_time!);
    // The same session, stepped up: relying parties keep its sid.
    expect(stepped.sid).toBe(first.sid);
    expect(stepped.sub).toBe(first.sub);

    // Now multi-factor, the session satisfies the next MFA request without asking.
    const again = await authorize(page, { acr_values: ACR_MFA });
    expect(again.acr).toBe(ACR_MFA);
    expect(again.auth_time).toBe(stepped.auth_time);
  });

  test('max_age=0 forces a fresh sign-in (password and second step) whose auth_time is later', async ({ page, signInPage }) => {
    const account = newAccount();
    await createAccount(page.request, account);
    const security = new SecurityPage(page);
    await security.goto();
    const app = new AuthenticatorApp(await security.startTotpSetup());
    await security.confirmTotp(await app.nextCode());
    await expect(security.status(security.authenticatorApp)).toHaveText('Authenticator app turned on.');

    const first = await authorize(page, {});
    await nextSecond(page);
    const fresh = await authorize(page, { max_age: '0' }, async () => {
      await expect(page).toHaveURL(/\/sign-in\?request=[A-Za-z0-9_-]{43}$/);
      await expect(signInPage.submitButton).toBeEnabled();
      await signInPage.fill(account);
      await Promise.all([page.waitForURL(/\/sign-in\/second-factor\?request=/), signInPage.submit()]);
      await new SecondFactorPage(page).submitCode(await app.nextCode());
    });
    expect(fresh.auth_time).toBeGreaterThan(first.auth_time!);
    expect(fresh.amr).toEqual(expect.arrayContaining(['pwd', 'otp', 'mfa']));
    expect(fresh.acr).toBe(ACR_MFA);
    // Every sign-in starts a new session.
    expect(fresh.sid).not.toBe(first.sid);
  });

  test('a passkey that verified the user is two factors by itself: no step-up, amr hwk/user/pin/mfa', async ({ page, signInPage, homePage }) => {
    await VirtualAuthenticator.withoutAutofill(page);
    await VirtualAuthenticator.attach(page);
    const account = newAccount();
    await createAccount(page.request, account);
    const security = new SecurityPage(page);
    await security.goto();
    await security.addPasskey('Laptop');
    await expect(security.passkeyItems()).toHaveCount(1);
    await homePage.goto();
    await homePage.signOut();
    await signInPage.goto();
    await Promise.all([page.waitForURL('/'), page.getByRole('button', { name: 'Sign in with a passkey' }).click()]);

    const claims = await authorize(page, { acr_values: ACR_MFA });
    expect(claims.amr).toEqual(expect.arrayContaining(['hwk', 'user', 'pin', 'mfa']));
    expect(claims.amr).not.toContain('pwd');
    expect(claims.acr).toBe(ACR_MFA);
  });
});
