import { randomBytes } from 'node:crypto';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { createAccount, expect, newAccount, test } from './pages/fixtures';
import { SignInPage } from './pages/sign-in-page';
import { createConsoleAdmin, signInToConsole } from './support/admin-console';
import { startLandingPage, type LandingPage } from './support/landing-page';

/**
 * Per-client signing algorithms in a real browser: an administrator registers a client whose ID
 * tokens are ES256 and access tokens EdDSA in the console form; an openid-client RP told
 * id_token_signed_response_alg signs a user in and verifies both tokens against the JWKS; the
 * signing keys page then lists the keys grouped by algorithm and rotates one algorithm only.
 */
test.describe('signing algorithms per client', () => {
  let landing: LandingPage;
  let redirectUri = '';
  test.beforeAll(async () => {
    landing = await startLandingPage();
    redirectUri = landing.redirectUri;
  });
  test.afterAll(() => landing.close());

  test('an ES256 / EdDSA client from the console form gets tokens an RP verifies; the keys page groups and rotates by alg', async ({ page, browser, request, baseURL }, testInfo) => {
    test.setTimeout(120_000);
    const issuer = baseURL!;
    await signInToConsole(page, createConsoleAdmin(testInfo));
    await page.goto('/admin/clients/new');
    const form = page.getByRole('form', { name: 'Register client' });
    const clientName = `E2E Alg App ${randomBytes(3).toString('hex')}`;
    await form.getByLabel('Name', { exact: true }).fill(clientName);
    await form.getByLabel('Redirect URIs', { exact: true }).fill(redirectUri);
    const idTokenAlg = form.getByLabel('ID token algorithm (id_token_signed_response_alg)');
    await expect(idTokenAlg).toHaveValue(''); // the server's default (OPTARE_DEFAULT_SIGNING_ALG)
    await expect(form).toContainText('OpenID Connect requires it');
    await idTokenAlg.selectOption('ES256');
    await form.getByLabel('Access token algorithm').selectOption('EdDSA');
    await Promise.all([
      page.waitForResponse((response) => new URL(response.url()).pathname === '/api/admin/console/clients' && response.status() === 201),
      form.getByRole('button', { name: 'Register client' }).click(),
    ]);
    const revealed = page.getByRole('group').filter({ has: page.getByLabel('Client ID', { exact: true }) });
    const clientId = await revealed.getByLabel('Client ID', { exact: true }).inputValue();
    const secret = await revealed.getByLabel('Client secret', { exact: true }).inputValue();

    // The client's page: the snippets tell the libraries about ES256.
    await revealed.getByRole('link', { name: 'open the client' }).click();
    await expect(page.getByRole('region', { name: 'Connect your app' })).toContainText('id_token_signed_response_alg: "ES256"');

    const config = await oidc.discovery(
      new URL(`${issuer}/.well-known/openid-configuration`),
      clientId,
      { client_secret: secret, id_token_signed_response_alg: 'ES256' },
      oidc.ClientSecretBasic(secret),
      { execute: [oidc.allowInsecureRequests] },
    );
    const account = newAccount();
    await createAccount(request, account);
    const context = await browser.newContext({ baseURL: issuer });
    const userPage = await context.newPage();
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    await userPage.goto(url.href);
    const signIn = new SignInPage(userPage);
    await signIn.fill(account);
    await Promise.all([userPage.waitForURL(/\/consent\?/), signIn.submit()]);
    await Promise.all([userPage.waitForURL(`${redirectUri}?**`), userPage.getByRole('button', { name: 'Approve' }).click()]);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(userPage.url()), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
    await context.close();

    expect(decodeProtectedHeader(tokens.id_token!).alg).toBe('ES256');
    expect(decodeProtectedHeader(tokens.access_token).alg).toBe('EdDSA');
    const jwks = createRemoteJWKSet(new URL(`${issuer}/oauth/jwks`));
    await jwtVerify(tokens.id_token!, jwks, { issuer, audience: clientId, algorithms: ['ES256'] });
    await jwtVerify(tokens.access_token, jwks, { issuer, algorithms: ['EdDSA'] });
    expect(await oidc.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub)).toMatchObject({ sub: tokens.claims()!.sub });

    // The keys page: one group per algorithm in use, with the key type; rotate EdDSA alone.
    await page.goto('/admin/keys');
    await expect(page.getByText('Tokens are signed with RS256 by default')).toBeVisible();
    const table = page.getByRole('table', { name: 'Signing keys, newest first' });
    const group = (alg: string) => table.locator(`tbody[data-alg="${alg}"]`);
    await expect(group('ES256').locator('tr[data-status="active"]')).toContainText('P-256');
    await expect(group('EdDSA').locator('tr[data-status="active"]')).toContainText('Ed25519');
    const rs256Before = await group('RS256').locator('tr[data-status="active"]').getAttribute('data-kid');
    const edBefore = await group('EdDSA').locator('tr[data-status="active"]').getAttribute('data-kid');
    await page.getByLabel('Algorithm', { exact: true }).selectOption('EdDSA');
    await page.getByRole('button', { name: 'Rotate now' }).click();
    await Promise.all([
      page.waitForResponse((response) => new URL(response.url()).pathname === '/api/admin/console/keys/rotate' && response.ok()),
      page.getByRole('group', { name: /^Rotate the signing key now\?/ }).getByRole('button', { name: 'Rotate now' }).click(),
    ]);
    await expect(page.locator('#rotate-status')).toHaveText(/^Key \S+ now signs every new EdDSA token\.$/);
    await expect(group('EdDSA').locator(`tr[data-kid="${edBefore}"]`)).toHaveAttribute('data-status', 'retiring');
    await expect(group('RS256').locator('tr[data-status="active"]')).toHaveAttribute('data-kid', rs256Before!);
  });
});
