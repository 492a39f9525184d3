import { expect, test } from '../pages/fixtures';
import { signInToConsole, type ConsoleAdmin } from '../support/admin-console';
import { killAll, newAccount, removeTempDirs, startServer, tempDir } from './server';

/**
 * First run: with no administrator, `npm start` prints a one-time link; the person running the
 * server creates the first administrator with it in the browser, then signs in to the console
 * (setting up two-step verification on the way). The link works once; with an administrator,
 * no link is printed.
 */

test.afterEach(async () => {
  await killAll();
  removeTempDirs();
});

const LINK = /Create the first one within an hour at:\s+(http:\/\/\S+\/setup#token=([A-Za-z0-9_-]{43}))/;

test('the one-time setup link creates the first administrator, who then signs in to the console', async ({ page }) => {
  test.setTimeout(180_000);
  const dataDir = tempDir();
  const server = await startServer({ dataDir });
  // Printed right after "ready": /readyz may answer a moment before.
  await expect.poll(() => LINK.test(server.stderr()), { timeout: 15_000 }).toBe(true);
  const match = LINK.exec(server.stderr());
  const [, link, token] = match!;
  // The link is on stderr, for the person at the console: the JSON log on stdout never carries the token.
  expect(server.stdout()).not.toContain(token!);

  const account = newAccount('first-admin');
  await page.goto(link!);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Create the first administrator');
  // The token is in the fragment, which no request carries; the page drops it from the address bar.
  await expect.poll(() => page.url()).toBe(`${server.url}/setup`);
  await page.getByLabel('Email', { exact: true }).fill(account.email);
  await page.getByLabel('Display name', { exact: true }).fill(account.name);
  await page.getByLabel('Password', { exact: true }).fill(account.password);
  await Promise.all([page.waitForURL(/\/admin\/sign-in\?setup=1$/), page.getByRole('button', { name: 'Create administrator' }).click()]);
  await expect(page.getByRole('status')).toContainText('Your administrator account is ready.');

  const admin: ConsoleAdmin = { id: '', ...account, authenticator: null };
  await signInToConsole(page, admin, server.url);
  await expect(page).toHaveURL(`${server.url}/admin`);

  // Used once: the same link now explains itself instead of offering the form.
  await page.goto(link!);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('This setup link cannot be used');
  const replay = await page.request.post(`${server.url}/api/setup`, {
    headers: { origin: server.url },
    data: { token, ...newAccount('second-admin') },
  });
  expect(replay.status()).toBe(409);

  // With an administrator, a restart prints no link. The page leaves first: the explanation links
  // to the console's sign-in, which Next.js prefetches, and on a slow machine that prefetch could
  // reach the stopped server (a console error).
  await page.goto('about:blank');
  await server.stop('SIGTERM');
  const again = await startServer({ dataDir });
  await new Promise((resolve) => setTimeout(resolve, 2000)); // the link would follow "ready" at once
  expect(again.stderr()).not.toContain('/setup#token=');
});

test('a wrong or malformed setup token creates nothing', async ({ page, guard }) => {
  test.setTimeout(120_000);
  guard.expectConsoleError({ path: '/api/setup', text: 'status of 403' });
  const server = await startServer();
  for (const token of ['x'.repeat(43), 'short', '']) {
    const response = await page.request.post(`${server.url}/api/setup`, { headers: { origin: server.url }, data: { token, ...newAccount('intruder') } });
    expect(response.status(), token).toBe(403);
    expect((await response.json()).error).toBe('invalid_token');
  }
  const wrongType = await page.request.post(`${server.url}/api/setup`, { headers: { origin: server.url }, data: { token: ['a'], email: true } });
  expect(wrongType.status()).toBe(403);
  // A wrong token in the link's fragment: the form is offered, and sending it says the link is not valid.
  await page.goto(`${server.url}/setup#token=${'y'.repeat(43)}`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Create the first administrator');
  const intruder = newAccount('intruder');
  await page.getByLabel('Email', { exact: true }).fill(intruder.email);
  await page.getByLabel('Display name', { exact: true }).fill(intruder.name);
  await page.getByLabel('Password', { exact: true }).fill(intruder.password);
  await page.getByRole('button', { name: 'Create administrator' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'This setup link is not valid' })).toBeVisible();
  // Without a token at all, the page says the link is incomplete.
  await page.goto(`${server.url}/setup`);
  await expect(page.getByText('This setup link is incomplete.')).toBeVisible();
  await page.goto('about:blank');
});
