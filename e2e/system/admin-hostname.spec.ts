import { expect, test } from '../pages/fixtures';
import { signInToConsole, type ConsoleAdmin } from '../support/admin-console';
import { ownPort } from './own-ports';
import { killAll, newAccount, removeTempDirs, startServer } from './server';

/**
 * OPTARE_ADMIN_ORIGIN (ASVS 3.5.4): the admin console on a hostname of its own. One server, two
 * names: the issuer is http://localhost:<port>, the console http://127.0.0.1:<port>. The console
 * signs in through the hosted sign-in on the issuer's host and works on its own; neither host
 * serves the other's pages.
 */

test.afterEach(async () => {
  await killAll();
  removeTempDirs();
});

const LINK = /Create the first one within an hour at:\s+(http:\/\/\S+\/setup#token=[A-Za-z0-9_-]{43})/;

test('the admin console on its own hostname: signs in through the issuer, works there, and neither host serves the other', async ({ page, context }) => {
  test.setTimeout(180_000);
  const port = await ownPort();
  const issuer = `http://localhost:${port}`;
  const consoleOrigin = `http://127.0.0.1:${port}`;
  const server = await startServer({ port, env: { OPTARE_ISSUER: issuer, OPTARE_ADMIN_ORIGIN: consoleOrigin } });
  await expect.poll(() => LINK.test(server.stderr()), { timeout: 15_000 }).toBe(true);
  const link = LINK.exec(server.stderr())![1]!;
  expect(link.startsWith(`${issuer}/setup#`)).toBe(true);

  // The first administrator is created on the issuer's host, then sent to the console's.
  const account = newAccount('console-host');
  await page.goto(link);
  await page.getByLabel('Email', { exact: true }).fill(account.email);
  await page.getByLabel('Display name', { exact: true }).fill(account.name);
  await page.getByLabel('Password', { exact: true }).fill(account.password);
  await Promise.all([page.waitForURL(`${consoleOrigin}/admin/sign-in?setup=1`), page.getByRole('button', { name: 'Create administrator' }).click()]);

  // Sign-in: the console's button leaves for the issuer's hosted sign-in and comes back to the console's host.
  const admin: ConsoleAdmin = { id: '', ...account, authenticator: null };
  await signInToConsole(page, admin, consoleOrigin);
  await expect(page).toHaveURL(`${consoleOrigin}/admin`);

  // The console works on its host: its pages and its own routes.
  await page.getByRole('navigation', { name: 'Admin console' }).getByRole('link', { name: 'Users' }).click();
  await expect(page).toHaveURL(`${consoleOrigin}/admin/users`);
  await expect(page.getByRole('link', { name: account.email })).toBeVisible();
  const verify = await page.request.post(`${consoleOrigin}/api/admin/console/audit/verify`, { headers: { origin: consoleOrigin }, data: {} });
  expect(verify.status(), await verify.text()).toBe(200);
  expect(await verify.json()).toMatchObject({ state: 'done', ok: true });

  // Each cookie lives on its own host: the console's on the console's, Optare's session on the issuer's.
  const cookies = await context.cookies();
  expect(cookies.filter((cookie) => cookie.name.endsWith('next-auth.session-token')).map((cookie) => cookie.domain)).toEqual(['127.0.0.1']);
  expect(cookies.filter((cookie) => cookie.name.endsWith('optare_session')).map((cookie) => cookie.domain)).toEqual(['localhost']);

  // The console is not served on the issuer's host, even to its signed-in administrator...
  for (const path of ['/admin', '/admin/users', '/admin/sign-in', '/admin/auth/csrf', '/api/admin/console/settings']) {
    expect((await page.request.get(`${issuer}${path}`, { maxRedirects: 0 })).status(), `${issuer}${path}`).toBe(404);
  }
  // ...and no login page, account page or OAuth endpoint on the console's host.
  for (const path of ['/sign-in', '/sign-up', '/account', '/setup', '/.well-known/openid-configuration', '/oauth/jwks', '/oauth/authorize?client_id=x', '/api/admin/v1/users']) {
    expect((await page.request.get(`${consoleOrigin}${path}`, { maxRedirects: 0 })).status(), `${consoleOrigin}${path}`).toBe(404);
  }
  expect((await page.request.post(`${consoleOrigin}/oauth/token`, { form: { grant_type: 'client_credentials' } })).status()).toBe(404);
  expect((await page.request.post(`${consoleOrigin}/api/auth/sign-in`, { headers: { origin: consoleOrigin }, data: account })).status()).toBe(404);
  // The console's host root leads to the console; health probes answer on both hosts.
  await page.goto(consoleOrigin);
  await expect(page).toHaveURL(`${consoleOrigin}/admin`);
  expect((await page.request.get(`${consoleOrigin}/healthz`)).status()).toBe(200);

  // Signing out of the console ends the Optare session too, though its cookie belongs to the issuer's host.
  await Promise.all([page.waitForURL(`${consoleOrigin}/admin/sign-in?signed_out=1`), page.getByRole('button', { name: 'Sign out' }).click()]);
  await page.goto(`${issuer}/account`);
  await expect(page).toHaveURL(/\/sign-in/);
  await page.goto('about:blank');
});
