import { expect, test } from '../pages/fixtures';
import { killAll, newAccount, removeTempDirs, signUp, startServer } from './server';

/**
 * ASVS 14.3.1 in a real browser, on a server of its own with the shortest idle timeout (one
 * minute): an account page left open shows personal data only while its session lives. When the
 * session expires, the page asks the server, which deletes the cookie and clears the browser's
 * storage, and the sign-in page replaces it, without anyone touching the tab.
 */

test.afterEach(async () => {
  await killAll();
  removeTempDirs();
});

const IDLE_TIMEOUT_SECONDS = 60;

test('an account page left open leaves for the sign-in page once the session expires, and the browser forgets the session and its storage', async ({ page, guard }) => {
  test.setTimeout(240_000);
  // The status of an ended session is a 401 (as every account route without a session), which Chromium logs.
  guard.expectConsoleError({ path: '/api/account/session-status', text: 'status of 401' });
  const server = await startServer({ env: { OPTARE_SESSION_IDLE_TIMEOUT: `${IDLE_TIMEOUT_SECONDS}s`, LOG_LEVEL: 'warn' } });
  const account = newAccount('session-end');
  expect((await signUp(server.url, account)).status).toBe(201);

  // Signing in through the page's own request context gives the browser the session cookie.
  const signedIn = await page.request.post(`${server.url}/api/auth/sign-in`, { data: { email: account.email, password: account.password } });
  expect(signedIn.status()).toBe(200);
  const signedInAt = Date.now();
  // What each status answer asked the browser to clear (the body of the last one is gone with the page).
  const statusAnswers: Array<Promise<string | null>> = [];
  page.on('response', (response) => {
    if (new URL(response.url()).pathname !== '/api/account/session-status') return;
    statusAnswers.push(response.allHeaders().then((headers) => headers['clear-site-data'] ?? null));
  });
  await page.goto(`${server.url}/account`);
  await expect(page.getByRole('heading', { name: 'Your account', level: 1 })).toBeVisible();
  await expect(page.getByText(account.email).first()).toBeVisible();
  await page.evaluate(() => localStorage.setItem('draft', 'something personal'));

  // Nobody touches the tab: it leaves by itself once the idle timeout has passed.
  await page.waitForURL((url) => url.pathname === '/sign-in', { timeout: (IDLE_TIMEOUT_SECONDS + 60) * 1000 });
  expect(Date.now() - signedInAt).toBeGreaterThanOrEqual(IDLE_TIMEOUT_SECONDS * 1000);
  expect(new URL(page.url()).searchParams.get('next')).toBe('/account');
  await expect(page.getByRole('status')).toHaveText('Your session has ended. Sign in again to continue.');
  await expect(page.getByText(account.email)).toHaveCount(0);

  // The page asked when it opened and once more at the deadline, nothing in between; the second
  // answer (the session had ended) cleared the browser.
  expect(await Promise.all(statusAnswers)).toEqual([null, '"cache", "storage"']);
  expect((await page.context().cookies(server.url)).map((cookie) => cookie.name)).not.toContain('optare_session');
  expect(await page.evaluate(() => localStorage.getItem('draft'))).toBeNull();

  // Going back does not bring the account page back: its history entry was replaced.
  await page.goBack().catch(() => undefined);
  await expect(page.getByText(account.email)).toHaveCount(0);
});
