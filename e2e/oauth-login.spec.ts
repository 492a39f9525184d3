import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import { expect as baseExpect, type Locator, type Page } from '@playwright/test';
import { createAccount, expect, newAccount, test } from './pages/fixtures';
import { optareCli } from './support/optare-cli';

/**
 * The browser side of the authorization code flow: a relying party (a tiny HTTP server on
 * 127.0.0.1, the redirect URI) sends the user to /oauth/authorize with PKCE; Optare asks them to
 * sign in, shows its consent page, and sends them back with a code, state and iss. Every page
 * runs under the CSP guard of fixtures.ts (zero violations, zero console errors).
 */

const SCOPES = {
  openid: 'Know who you are (your account identifier)',
  profile: 'See your name',
  email: 'See your email address',
};

/** The relying party: answers every path with a small page, and remembers what it was sent. */
class RelyingParty {
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

  get postLogoutUri(): string {
    return `${this.origin}/signed-out`;
  }
}

/** What the relying party puts in the authorization URL, and keeps to check the answer. */
function authorizationRequest(clientId: string, redirectUri: string, extra: Record<string, string> = {}) {
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(12).toString('base64url');
  const params = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: redirectUri,
    scope: 'openid profile email',
    state,
    nonce: randomBytes(12).toString('base64url'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...extra,
  });
  return { url: `/oauth/authorize?${params.toString()}`, state, verifier };
}

class ConsentPage {
  readonly heading: Locator;
  readonly permissions: Locator;
  readonly services: Locator;
  readonly approveButton: Locator;
  readonly denyButton: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { level: 1 });
    this.permissions = page.getByRole('list', { name: 'Requested permissions' }).getByRole('listitem');
    this.services = page.getByRole('list', { name: 'Services' }).getByRole('listitem');
    this.approveButton = page.getByRole('button', { name: 'Approve' });
    this.denyButton = page.getByRole('button', { name: 'Deny' });
  }

  async expectShown(clientName: string, scopes: string[]): Promise<void> {
    await expect(this.page).toHaveURL(/\/consent\?request=[A-Za-z0-9_-]{43}$/);
    await expect(this.heading).toHaveText(`Allow ${clientName} to use your Optare account?`);
    await expect(this.permissions).toHaveText(scopes);
    await expect(this.approveButton).toBeEnabled();
  }
}

test.describe('authorization code flow in the browser', () => {
  const rp = new RelyingParty();
  let clientId = '';
  const clientName = `E2E Photo App ${randomBytes(3).toString('hex')}`;
  const PHOTOS_API = 'https://photos.example.test/api';

  test.beforeAll(async ({}, testInfo) => {
    await rp.start();
    const created = optareCli(testInfo, [
      'client', 'create',
      '--name', clientName,
      '--redirect-uri', rp.redirectUri,
      '--post-logout-uri', rp.postLogoutUri,
      '--scope', 'openid profile email',
      '--resource', PHOTOS_API,
    ]);
    clientId = created.clientId as string;
    baseExpect(clientId).toMatch(/^oc_/);
  });
  test.afterAll(() => rp.stop());

  test('sign in, approve, and arrive at the redirect URI with code, state and iss', async ({ page, request, signInPage, baseURL }) => {
    const account = newAccount();
    await createAccount(request, account);
    const authorization = authorizationRequest(clientId, rp.redirectUri);

    await page.goto(authorization.url);
    await expect(page).toHaveURL(/\/sign-in\?request=[A-Za-z0-9_-]{43}$/);
    // The page names the app the user is signing in to.
    await expect(page.getByText(`to continue to ${clientName}`)).toBeVisible();
    await expect(signInPage.submitButton).toBeEnabled();
    await signInPage.fill(account);
    await Promise.all([page.waitForURL(/\/consent\?/), signInPage.submit()]);

    const consent = new ConsentPage(page);
    await consent.expectShown(clientName, [SCOPES.openid, SCOPES.profile, SCOPES.email]);
    await expect(page.getByText(account.email)).toBeVisible();
    await expect(consent.services).toHaveCount(0); // no API named, none listed

    // The consent page cannot be framed.
    const headers = (await page.request.get(page.url())).headers();
    expect(headers['x-frame-options']).toBe('DENY');
    expect(headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);

    await Promise.all([page.waitForURL(`${rp.redirectUri}?**`), consent.approveButton.click()]);
    const back = new URL(page.url());
    expect(back.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(back.searchParams.get('state')).toBe(authorization.state);
    expect(back.searchParams.get('iss')).toBe(new URL(baseURL!).origin);
    expect(back.searchParams.get('error')).toBeNull();
    await expect(page.getByRole('heading', { name: 'Back at the app' })).toBeVisible();

    // Consent is remembered: the next request returns at once, without sign-in or consent.
    const again = authorizationRequest(clientId, rp.redirectUri);
    await page.goto(again.url);
    await expect(page).toHaveURL(new RegExp(`^${escape(rp.redirectUri)}\\?code=[A-Za-z0-9_-]{43}&state=${again.state}&iss=`));
  });

  test('deny returns access_denied with state and iss', async ({ page, request, signInPage, baseURL }) => {
    const account = newAccount();
    await createAccount(request, account);
    // With an API named (RFC 8707), which the consent page lists under the permissions.
    const authorization = authorizationRequest(clientId, rp.redirectUri, { resource: PHOTOS_API });

    await page.goto(authorization.url);
    await signInPage.fill(account);
    await Promise.all([page.waitForURL(/\/consent\?/), signInPage.submit()]);
    const consent = new ConsentPage(page);
    await consent.expectShown(clientName, [SCOPES.openid, SCOPES.profile, SCOPES.email]);
    await expect(consent.services).toHaveText([PHOTOS_API]);

    await Promise.all([page.waitForURL(`${rp.redirectUri}?**`), consent.denyButton.click()]);
    const back = new URL(page.url());
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.get('state')).toBe(authorization.state);
    expect(back.searchParams.get('iss')).toBe(new URL(baseURL!).origin);
    expect(back.searchParams.get('code')).toBeNull();
  });

  test('a new user signs up from the sign-in page and continues to consent', async ({ page, signUpPage }) => {
    const account = newAccount();
    await page.goto(authorizationRequest(clientId, rp.redirectUri).url);
    await page.getByRole('link', { name: 'Create an account' }).click();
    await expect(page).toHaveURL(/\/sign-up\?request=[A-Za-z0-9_-]{43}$/);
    await expect(page.getByText(`to continue to ${clientName}`)).toBeVisible();
    await expect(signUpPage.submitButton).toBeEnabled();
    await signUpPage.fill(account);
    await Promise.all([page.waitForURL(/\/consent\?/), signUpPage.submit()]);
    await new ConsentPage(page).expectShown(clientName, [SCOPES.openid, SCOPES.profile, SCOPES.email]);
  });

  test('an unregistered redirect URI is refused on Optare’s error page, not followed', async ({ page }) => {
    const authorization = authorizationRequest(clientId, `${rp.origin}/evil`);
    await page.goto(authorization.url);
    await expect(page).toHaveURL('/oauth/error?error=invalid_redirect_uri');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Invalid return address');
  });

  test('RP-initiated logout without id_token_hint asks first, then signs out and returns with state', async ({ page, request, signInPage }) => {
    const account = newAccount();
    await createAccount(request, account);
    await signInPage.goto();
    await signInPage.signIn(account);

    const params = new URLSearchParams({ client_id: clientId, post_logout_redirect_uri: rp.postLogoutUri, state: 'bye' });
    await page.goto(`/oauth/logout?${params.toString()}`);
    await expect(page).toHaveURL(/\/oauth\/logout\/confirm\?logout=/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sign out of Optare?');
    await expect(page.getByText(`${clientName} asked to sign you out of Optare.`)).toBeVisible();
    await Promise.all([page.waitForURL(`${rp.postLogoutUri}?state=bye`), page.getByRole('button', { name: 'Sign out' }).click()]);

    await page.goto('/');
    await expect(page.getByRole('link', { name: 'Sign in', exact: true })).toBeVisible();
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
