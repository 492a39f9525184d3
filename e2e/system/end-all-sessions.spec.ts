import { expect, test } from '../pages/fixtures';
import { signInToConsole, type ConsoleAdmin } from '../support/admin-console';
import { killAll, newAccount, removeTempDirs, signIn, signUp, startServer } from './server';

/**
 * ASVS 7.4.5 on a server of its own (ending every session would sign out the other specs' users
 * on the shared one): an administrator ends every user's sessions from the console's Users page,
 * with a reason and the typed confirmation; a user signed in elsewhere is signed out, and the
 * administrator's own console session stays.
 */

test.afterEach(async () => {
  await killAll();
  removeTempDirs();
});

const LINK = /Create the first one within an hour at:\s+(http:\/\/\S+\/setup#token=[A-Za-z0-9_-]{43})/;

/** The `name=value` pairs a response sets, for a Cookie header. */
function cookiesOf(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((cookie) => cookie.split(';')[0])
    .join('; ');
}

test('after a leak of session cookies, an administrator signs everyone out from the Users page and keeps their console session', async ({ page }) => {
  test.setTimeout(180_000);
  const server = await startServer();
  await expect.poll(() => LINK.test(server.stderr()), { timeout: 15_000 }).toBe(true);
  const account = newAccount('end-all-admin');
  await page.goto(LINK.exec(server.stderr())![1]!);
  await page.getByLabel('Email', { exact: true }).fill(account.email);
  await page.getByLabel('Display name', { exact: true }).fill(account.name);
  await page.getByLabel('Password', { exact: true }).fill(account.password);
  await Promise.all([page.waitForURL(/\/admin\/sign-in\?setup=1$/), page.getByRole('button', { name: 'Create administrator' }).click()]);
  const admin: ConsoleAdmin = { id: '', ...account, authenticator: null };
  await signInToConsole(page, admin, server.url);

  // A user signed in in another browser.
  const member = newAccount('end-all-member');
  expect((await signUp(server.url, member)).status).toBe(201);
  const signedIn = await signIn(server.url, member);
  expect(signedIn.status).toBe(200);
  const cookie = cookiesOf(signedIn);
  const accountPage = () => fetch(`${server.url}/account/security`, { headers: { cookie }, redirect: 'manual' });
  expect((await accountPage()).status).toBe(200);

  await page.goto(`${server.url}/admin/users`);
  await page.getByRole('button', { name: 'End all sessions…' }).click();
  const form = page.getByRole('form', { name: 'End all sessions' });
  // Without the typed confirmation: refused next to the field, nothing ended.
  await form.getByLabel('Reason').fill('Session cookies leaked in a proxy log');
  await form.getByRole('button', { name: 'End all sessions', exact: true }).click();
  await expect(form.getByText('Type “end all sessions” to confirm.')).toBeVisible();
  expect((await accountPage()).status).toBe(200);

  await form.getByLabel('Type “end all sessions” to confirm').fill('end all sessions');
  await Promise.all([
    page.waitForResponse((response) => new URL(response.url()).pathname === '/api/admin/console/sessions/end-all' && response.status() === 200),
    form.getByRole('button', { name: 'End all sessions', exact: true }).click(),
  ]);
  await expect(page.getByRole('status').filter({ hasText: 'Your console session stays.' })).toContainText(/Ended [1-9]\d* sessions?/);

  // The user's next request finds no session; the console still works.
  const after = await accountPage();
  expect(after.status).toBeGreaterThanOrEqual(300);
  expect(after.status).toBeLessThan(400);
  expect(after.headers.get('location')).toContain('/sign-in');
  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Users');
  await page.goto('about:blank');
});
