import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { APIRequestContext, Browser, Locator, Page } from '@playwright/test';
import * as oidc from 'openid-client';
import { createAccount, expect, newAccount, test } from './pages/fixtures';
import { SignInPage } from './pages/sign-in-page';
import { createConsoleAdmin, signInToConsole } from './support/admin-console';
import { sql } from './support/database';

/**
 * OAuth clients in the admin console, end to end: an administrator (password + TOTP) registers
 * a confidential client whose redirect URI is a small HTTP server in this test, copies its
 * secret from the page, and an openid-client relying party completes the authorization code
 * flow with it (a user signs in and consents). The administrator then rotates the secret: the
 * old one keeps working at the token endpoint during the overlap and stops once it is over.
 */

/** The relying party's redirect URI: a tiny server on 127.0.0.1 that answers every path with a page. */
class RedirectTarget {
  private server!: http.Server;
  origin = '';

  async start(): Promise<void> {
    this.server = http.createServer((request, response) => {
      response.writeHead(request.url === '/favicon.ico' ? 204 : 200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      response.end(request.url === '/favicon.ico' ? undefined : '<!doctype html><title>Relying party</title><h1>Back at the app</h1>');
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

/** The console's client pages: the registration form, the secret shown once, and the client's actions. */
class ClientsConsole {
  readonly form: Locator;
  readonly revealed: Locator;

  constructor(readonly page: Page) {
    this.form = page.getByRole('form', { name: 'Register client' });
    this.revealed = page.getByRole('group').filter({ has: page.getByLabel('Client ID', { exact: true }) });
  }

  async openNewClientForm(): Promise<void> {
    await this.page.goto('/admin/clients');
    await expect(this.page.getByRole('heading', { level: 1 })).toHaveText('Clients');
    await this.page.getByRole('link', { name: 'Register a client' }).click();
    await expect(this.page.getByRole('heading', { level: 1 })).toHaveText('Register a client');
  }

  /** Copies the revealed secret with its Copy button, checks it landed on the clipboard, and returns it. */
  async copySecret(): Promise<string> {
    const secret = await this.revealed.getByLabel('Client secret', { exact: true }).inputValue();
    const copy = this.revealed.getByRole('button', { name: 'Copy the client secret' });
    await copy.click();
    await expect(copy.locator('xpath=..').getByRole('status')).toHaveText('Copied');
    expect(await this.page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    return secret;
  }
}

/** An openid-client configuration for the client with this secret (client_secret_basic). */
function relyingParty(issuer: string, clientId: string, secret: string): Promise<oidc.Configuration> {
  return oidc.discovery(new URL(`${issuer}/.well-known/openid-configuration`), clientId, secret, oidc.ClientSecretBasic(secret), {
    execute: [oidc.allowInsecureRequests],
  });
}

/** The token endpoint's verdict on a secret: a client_credentials grant, or the OAuth error. */
async function clientCredentials(config: oidc.Configuration): Promise<string> {
  try {
    const tokens = await oidc.clientCredentialsGrant(config, { scope: 'profile' });
    return tokens.access_token ? 'ok' : 'no token';
  } catch (error) {
    // An OAuth error body (ResponseBodyError), or a 401 whose Basic challenge openid-client reports first.
    const failure = error as { error?: string; response?: Response };
    if (failure.error) return failure.error;
    const body = (await failure.response?.json().catch(() => null)) as { error?: string } | null | undefined;
    return body?.error ?? String(error);
  }
}

/** A user signs in at Optare in a browser of their own and approves; the relying party exchanges the code. */
async function userSignsIn(
  browser: Browser,
  request: APIRequestContext,
  issuer: string,
  config: oidc.Configuration,
  redirectUri: string,
  clientName: string,
) {
  const account = newAccount();
  // Created outside the user's browser, which stays signed out until the flow signs it in.
  await createAccount(request, account);
  const context = await browser.newContext({ baseURL: issuer });
  try {
    const page = await context.newPage();
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid profile email',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    await page.goto(url.href);
    await expect(page.getByText(`to continue to ${clientName}`)).toBeVisible();
    const signIn = new SignInPage(page);
    await signIn.fill(account);
    await Promise.all([page.waitForURL(/\/consent\?/), signIn.submit()]);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Allow ${clientName} to use your Optare account?`);
    await Promise.all([page.waitForURL(`${redirectUri}?**`), page.getByRole('button', { name: 'Approve' }).click()]);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(page.url()), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
    const claims = tokens.claims()!;
    return { account, claims, userinfo: await oidc.fetchUserInfo(config, tokens.access_token, claims.sub) };
  } finally {
    await context.close();
  }
}

test.describe('admin console: OAuth clients', () => {
  const target = new RedirectTarget();
  test.beforeAll(() => target.start());
  test.afterAll(() => target.stop());
  test.beforeEach(async ({ context, baseURL }) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(baseURL!).origin });
  });

  test('register a client, sign a user in with it, rotate its secret: the old one works only during the overlap', async ({ page, browser, request, baseURL }, testInfo) => {
    test.setTimeout(120_000);
    const issuer = baseURL!;
    const admin = createConsoleAdmin(testInfo);
    await signInToConsole(page, admin);
    const console = new ClientsConsole(page);
    await console.openNewClientForm();

    // The form checks each redirect URI as it is typed, with the server's own rules.
    const clientName = `E2E Console App ${randomBytes(3).toString('hex')}`;
    await console.form.getByLabel('Name', { exact: true }).fill(clientName);
    const redirectUris = console.form.getByLabel('Redirect URIs', { exact: true });
    await redirectUris.fill('javascript:alert(1)');
    await expect(redirectUris).toHaveAttribute('aria-invalid', 'true');
    await expect(console.form).toContainText('Redirect URI 1 must use https');
    await redirectUris.fill(`${target.redirectUri}#fragment`);
    await expect(console.form).toContainText('Redirect URI 1 must not contain a fragment (#).');
    await redirectUris.fill(target.redirectUri);
    await expect(redirectUris).not.toHaveAttribute('aria-invalid', 'true');
    await console.form.getByRole('checkbox', { name: 'Client credentials' }).check();

    await Promise.all([
      page.waitForResponse((response) => new URL(response.url()).pathname === '/api/admin/console/clients' && response.status() === 201),
      console.form.getByRole('button', { name: 'Register client' }).click(),
    ]);
    await expect(console.revealed).toContainText(`“${clientName}” is registered`);
    const clientId = await console.revealed.getByLabel('Client ID', { exact: true }).inputValue();
    expect(clientId).toMatch(/^oc_[A-Za-z0-9_-]{22}$/);
    const firstSecret = await console.copySecret();
    expect(firstSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // An openid-client relying party signs a user in with the client and its copied secret.
    const firstConfig = await relyingParty(issuer, clientId, firstSecret);
    const { account, claims, userinfo } = await userSignsIn(browser, request, issuer, firstConfig, target.redirectUri, clientName);
    expect(claims).toMatchObject({ iss: issuer, aud: clientId });
    expect(userinfo).toMatchObject({ sub: claims.sub, email: account.email, name: account.name });

    // The client's page: snippets with the discovery URL and client id, never the secret.
    await console.revealed.getByRole('link', { name: 'open the client' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(clientName);
    const connect = page.getByRole('region', { name: 'Connect your app' });
    await expect(connect).toContainText(`${issuer}/.well-known/openid-configuration`);
    await expect(connect).toContainText(clientId);
    await expect(connect).toContainText(target.redirectUri);
    await expect(connect).toContainText('process.env.OPTARE_CLIENT_SECRET');
    await expect(connect.getByRole('heading', { level: 3 })).toHaveText([/openid-client/, /Auth\.js/, /Spring Security/]);
    expect(await page.content()).not.toContain(firstSecret);

    // Rotate: the new secret is shown once, with until when the old one works.
    const secretSection = page.getByRole('region', { name: 'Client secret' });
    await secretSection.getByRole('button', { name: 'Rotate secret…' }).click();
    const question = secretSection.getByRole('group');
    await expect(question).toContainText(`Generate a new secret for “${clientName}”?`);
    await expect(question).toContainText('The old secret keeps working for 24 hours, so you can update your app without downtime.');
    await Promise.all([
      page.waitForResponse((response) => new URL(response.url()).pathname === `/api/admin/console/clients/${clientId}/secret` && response.ok()),
      secretSection.getByRole('button', { name: 'Rotate secret', exact: true }).click(),
    ]);
    await expect(console.revealed).toContainText(`New secret for “${clientName}”`);
    await expect(console.revealed).toContainText(/The old secret keeps working until \d{1,2} \w{3} \d{4}, \d{2}:\d{2} UTC/);
    const secondSecret = await console.copySecret();
    expect(secondSecret).not.toBe(firstSecret);

    // During the overlap both secrets work at the token endpoint.
    const secondConfig = await relyingParty(issuer, clientId, secondSecret);
    expect(await clientCredentials(firstConfig)).toBe('ok');
    expect(await clientCredentials(secondConfig)).toBe('ok');

    // The overlap ends (its end moved into the past): the old secret stops working, within the
    // server's few seconds of client caching; the new one goes on.
    const moved = await sql(testInfo, `UPDATE oauth_clients SET previous_secret_expires_at = now() - interval '1 second' WHERE id = $1 RETURNING id`, [clientId]);
    expect(moved).toHaveLength(1);
    await expect.poll(() => clientCredentials(firstConfig), { timeout: 15_000, intervals: [500] }).toBe('invalid_client');
    expect(await clientCredentials(secondConfig)).toBe('ok');

    // Disabled, the client gets no tokens; enabled again, it does.
    await page.reload();
    await page.getByRole('button', { name: 'Disable client…' }).click();
    await Promise.all([
      page.waitForResponse((response) => new URL(response.url()).pathname === `/api/admin/console/clients/${clientId}/disable` && response.ok()),
      page.getByRole('button', { name: 'Disable client', exact: true }).click(),
    ]);
    await expect(page.getByRole('status').filter({ hasText: 'is disabled' })).toContainText(clientName);
    await expect.poll(() => clientCredentials(secondConfig), { timeout: 15_000, intervals: [500] }).toBe('invalid_client');
    await page.getByRole('button', { name: 'Enable client' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'is enabled' })).toContainText(clientName);
    await expect.poll(() => clientCredentials(secondConfig), { timeout: 15_000, intervals: [500] }).toBe('ok');

    // Delete, confirmed by typing the client's name.
    await page.getByRole('button', { name: 'Delete client…' }).click();
    const deleteForm = page.getByRole('form', { name: 'Delete the client' });
    await expect(deleteForm.getByRole('button', { name: 'Delete client', exact: true })).toBeDisabled();
    await deleteForm.getByLabel(`Type “${clientName}” to confirm`).fill(clientName);
    await Promise.all([page.waitForURL(/\/admin\/clients\?deleted=1$/), deleteForm.getByRole('button', { name: 'Delete client', exact: true }).click()]);
    await expect(page.getByRole('status').filter({ hasText: 'The client was deleted.' })).toBeVisible();
    await page.getByRole('searchbox', { name: 'Name or client ID' }).fill(clientName);
    await page.getByRole('button', { name: 'Search' }).click();
    await expect(page).toHaveURL(/\/admin\/clients\?q=/);
    await expect(page.getByText('No client matches this search.')).toBeVisible();
    await expect.poll(() => clientCredentials(secondConfig), { timeout: 15_000, intervals: [500] }).toBe('invalid_client');
  });

  test('the list searches by name or id, and the admin console’s own client cannot be changed', async ({ page }, testInfo) => {
    const admin = createConsoleAdmin(testInfo);
    await signInToConsole(page, admin);
    await page.goto('/admin/clients?q=optare-admin-CONSOLE');
    const table = page.getByRole('table', { name: 'OAuth clients, newest first' });
    await expect(table.getByRole('row')).toHaveCount(2);
    await expect(table.getByRole('rowheader')).toHaveText('Optare admin console');
    await expect(table).toContainText('Managed by Optare');
    await table.getByRole('link', { name: 'Optare admin console' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Optare admin console');
    await expect(page.getByText('This is the admin console’s own client.')).toBeVisible();
    await expect(page.getByRole('button', { name: /Disable|Delete|Rotate|Save/ })).toHaveCount(0);
  });
});
