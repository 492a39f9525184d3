import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import type { Page } from '@playwright/test';
import { expect, newAccount, test } from '../pages/fixtures';
import { SecondFactorPage } from '../pages/second-factor-page';
import { SecurityPage } from '../pages/security-page';
import { AuthenticatorApp } from '../support/authenticator-app';
import { VirtualAuthenticator } from '../support/virtual-authenticator';
import { removeTempDirs, run, startServer, type OptareServer } from './server';

/**
 * OPTARE_MFA_REQUIRED=true on a server of its own: a user without a second factor is walked
 * through enrollment right after signing in (and in the middle of an app's authorization
 * request), sees the recovery codes once, continues where they were going, and cannot remove
 * their last factor (even after confirming it is them with it).
 */

test.describe.configure({ mode: 'default' });

let server: OptareServer;
/** The app of the authorization request: a page at its redirect URI. */
const app = http.createServer((request, response) => {
  if (request.url === '/favicon.ico') {
    response.writeHead(204).end();
    return;
  }
  response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>App</title><h1>Back at the app</h1>');
});
test.beforeAll(async () => {
  test.setTimeout(120_000);
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  server = await startServer({ env: { OPTARE_MFA_REQUIRED: 'true', LOG_LEVEL: 'warn' } });
});
test.afterAll(async () => {
  await server?.stop('SIGTERM').catch(() => undefined);
  await new Promise((resolve) => app.close(resolve));
  removeTempDirs();
});

test.setTimeout(120_000);

const url = (path: string) => `${server.url}${path}`;

/** Signs up in the browser; the policy sends the new user to enrollment. */
async function signUpInBrowser(page: Page, suffix = '') {
  const account = newAccount();
  await page.goto(url(`/sign-up${suffix}`));
  await page.getByLabel('Email', { exact: true }).fill(account.email);
  await page.getByLabel('Display name', { exact: true }).fill(account.name);
  await page.getByLabel('Password', { exact: true }).fill(account.password);
  await expect(page.getByRole('button', { name: 'Create account' })).toBeEnabled();
  await Promise.all([page.waitForURL(/\/sign-in\/enroll(\?|$)/), page.getByRole('button', { name: 'Create account' }).click()]);
  return account;
}

test('a new user sets up an authenticator app right after sign-up, saves the codes and continues home', async ({ page, guard }) => {
  guard.expectConsoleError({ path: '/api/account/totp/remove', text: 'status of 409' });
  guard.expectConsoleError({ path: '/api/account/totp/remove', text: 'status of 403' });
  const account = await signUpInBrowser(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Set up two-step verification');
  await expect(page.getByText('This Optare requires two-step verification for every account.', { exact: false })).toBeVisible();

  await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
  const secret = ((await page.locator('#totp-secret').textContent()) ?? '').replace(/\s/g, '');
  const app = new AuthenticatorApp(secret);
  await page.getByLabel('Code from the app').fill(await app.nextCode());
  await page.getByRole('button', { name: 'Verify and turn on' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Two-step verification is on, with your authenticator app.' })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Recovery codes', exact: true }).getByRole('listitem')).toHaveCount(10);
  await Promise.all([page.waitForURL(url('/')), page.getByRole('link', { name: 'Continue' }).click()]);
  await expect(page.getByText(`Signed in as ${account.name} (${account.email})`)).toBeVisible();

  // The policy keeps the last factor: removing it is refused with a clear message, once the user
  // has confirmed it is them with the app (the enrolment's sign-in was with the password alone).
  const security = new SecurityPage(page);
  await page.goto(url('/account/security'));
  await expect(page.getByText('Your account must keep at least one authenticator app or passkey.', { exact: false })).toBeVisible();
  await security.authenticatorApp.getByRole('button', { name: 'Remove…' }).click();
  await security.authenticatorApp.getByRole('button', { name: 'Remove authenticator app' }).click();
  const confirm = security.authenticatorApp.getByRole('link', { name: 'Confirm it’s you' });
  await expect(confirm).toBeVisible();
  await Promise.all([page.waitForURL(/\/sign-in\/second-factor/), confirm.click()]);
  const secondFactor = new SecondFactorPage(page);
  await secondFactor.expectShown();
  await Promise.all([page.waitForURL(url('/account/security')), secondFactor.submitCode(await app.nextCode())]);
  await security.authenticatorApp.getByRole('button', { name: 'Remove…' }).click();
  await security.authenticatorApp.getByRole('button', { name: 'Remove authenticator app' }).click();
  await expect(security.alert(security.authenticatorApp)).toHaveText(
    'Your account must keep two-step verification. Add another authenticator app or passkey before removing this one.',
  );
  await expect(security.authenticatorApp).toContainText('On.');

  // Coming back to the enrollment page with a factor: nothing to do but continue.
  await page.goto(url('/sign-in/enroll'));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Two-step verification is on');
});

test('an app’s authorization request waits while the user enrolls a passkey, then continues to the app', async ({ page }) => {
  await VirtualAuthenticator.attach(page);
  const redirectUri = `http://127.0.0.1:${(app.address() as AddressInfo).port}/enroll-callback`;
  const created = await run(
    ['scripts/optare.mjs', 'client', 'create', '--name', `Policy app ${randomBytes(3).toString('hex')}`, '--first-party', '--public', '--redirect-uri', redirectUri, '--scope', 'openid', '--json'],
    { OPTARE_DATA_DIR: server.dataDir },
  );
  expect(created.code, created.stderr).toBe(0);
  const clientId = (JSON.parse(created.stdout) as { clientId: string }).clientId;

  const verifier = randomBytes(32).toString('base64url');
  const params = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: redirectUri,
    scope: 'openid',
    state: 'st4te',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  });
  await page.goto(url(`/oauth/authorize?${params.toString()}`));
  await expect(page).toHaveURL(/\/sign-in\?request=([A-Za-z0-9_-]{43})$/);
  const handle = new URL(page.url()).searchParams.get('request')!;
  await page.getByRole('link', { name: 'Create an account' }).click();
  await expect(page).toHaveURL(url(`/sign-up?request=${handle}`));
  await page.getByLabel('Email', { exact: true }).fill(`policy-${randomBytes(4).toString('hex')}@example.test`);
  await page.getByLabel('Display name', { exact: true }).fill('Policy User');
  await page.getByLabel('Password', { exact: true }).fill('plum orbit policy lantern');
  await expect(page.getByRole('button', { name: 'Create account' })).toBeEnabled();
  await Promise.all([page.waitForURL(url(`/sign-in/enroll?request=${handle}`)), page.getByRole('button', { name: 'Create account' }).click()]);

  await page.getByLabel('Passkey name (optional)').fill('Policy key');
  await page.getByRole('button', { name: 'Add a passkey' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Two-step verification is on, with the passkey “Policy key”.' })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Recovery codes', exact: true }).getByRole('listitem')).toHaveCount(10);
  await Promise.all([page.waitForURL(`${redirectUri}?**`), page.getByRole('link', { name: 'Continue' }).click()]);
  const back = new URL(page.url());
  expect(back.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(back.searchParams.get('state')).toBe('st4te');
});
