import net from 'node:net';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { createAccount, expect, newAccount, test } from './pages/fixtures';
import { optareCli } from './support/optare-cli';

/**
 * The example app of the README's "Integrate an app" (examples/relying-party/server.mjs, built
 * on openid-client) in a real browser: sign in at Optare, consent, see the verified ID token
 * claims, have the access token refreshed, and sign out of both through RP-initiated logout.
 */
const ROOT = path.resolve(import.meta.dirname, '..');

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test.describe('the example relying party', () => {
  let app: ChildProcess | undefined;
  let appUrl = '';
  let appOutput = '';

  test.beforeAll(async ({ baseURL }, testInfo) => {
    const port = await freePort();
    appUrl = `http://127.0.0.1:${port}`;
    const created = optareCli(testInfo, [
      'client', 'create', '--name', 'Example app',
      '--redirect-uri', `${appUrl}/callback`, '--post-logout-uri', `${appUrl}/`,
      '--grant', 'authorization_code', '--grant', 'refresh_token',
      '--scope', 'openid', '--scope', 'profile', '--scope', 'email', '--scope', 'offline_access',
      // Shorter than the app's one-minute refresh margin, so every page load refreshes.
      '--access-token-ttl', '60',
    ]);
    app = spawn(process.execPath, ['examples/relying-party/server.mjs'], {
      cwd: ROOT,
      env: { ...process.env, OPTARE_ISSUER: baseURL, CLIENT_ID: String(created.clientId), CLIENT_SECRET: String(created.clientSecret), PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    app.stdout!.on('data', (chunk) => (appOutput += chunk));
    app.stderr!.on('data', (chunk) => (appOutput += chunk));
    for (let i = 0; i < 100; i++) {
      if (app.exitCode !== null) throw new Error(`the example app exited: ${appOutput}`);
      try {
        if ((await fetch(appUrl)).ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`the example app did not start: ${appOutput}`);
  });

  test.afterAll(() => {
    app?.kill('SIGTERM');
  });

  test('signs in with Optare, shows verified claims, refreshes its token and signs out of both @postgres', async ({ page, request, signInPage, baseURL }) => {
    const account = newAccount({ name: 'Example User' });
    await createAccount(request, account);

    await page.goto(appUrl);
    await expect(page.getByText('You are not signed in.')).toBeVisible();
    await page.locator('#sign-in').click();
    await expect(page).toHaveURL(/\/sign-in\?request=/);
    await signInPage.fill(account);
    await Promise.all([page.waitForURL(/\/consent\?/), signInPage.submit()]);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Allow Example app to use your Optare account?');
    await Promise.all([page.waitForURL(`${appUrl}/`), page.getByRole('button', { name: 'Approve' }).click()]);

    await expect(page.locator('#greeting')).toHaveText(`Signed in as Example User (${account.email})`);
    const claims = page.locator('#claims');
    for (const claim of ['iss', 'sub', 'aud', 'nonce', 'auth_time', 'sid', 'at_hash']) {
      await expect(claims.locator('th', { hasText: new RegExp(`^${claim}$`) })).toHaveCount(1);
    }
    await expect(claims).toContainText(JSON.stringify(baseURL)); // iss

    // The app keeps tokens server-side and refreshes the access token before it expires.
    const firstExpiry = await page.locator('#expires-at').textContent();
    await page.waitForTimeout(1100);
    await page.reload();
    await expect(page.locator('#greeting')).toHaveText(`Signed in as Example User (${account.email})`);
    expect(await page.locator('#expires-at').textContent()).not.toBe(firstExpiry);
    const cookies = await page.context().cookies(appUrl);
    expect(cookies.find((cookie) => cookie.name === 'rp_session')).toMatchObject({ httpOnly: true, sameSite: 'Lax' });

    // RP-initiated logout with id_token_hint: attributable, so no confirmation; back at the app.
    await Promise.all([page.waitForURL(`${appUrl}/?state=*`), page.locator('#sign-out').click()]);
    await expect(page.getByText('You are not signed in.')).toBeVisible();
    await page.goto('/');
    await expect(page.getByRole('link', { name: 'Sign in', exact: true })).toBeVisible();
  });
});
