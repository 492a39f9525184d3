import { expect, test } from '../pages/fixtures';
import { askRuntimeProbe, RUNTIME_PROBE_NODE_OPTIONS } from './runtime-probe';
import { killAll, leavePage, newAccount, removeTempDirs, signUp, startServer } from './server';

/**
 * Next.js replaces the global Date when it loads; Optare's server puts the built-in one back
 * (lib/server/native-date.ts). On a real server, with a preloaded probe (runtime-probe.mjs) that
 * saw the built-in Date before anything else ran: it is back once the server is up, and stays
 * back while Next.js renders pages (its runtime bundles carry their own copy of the replacement),
 * and pages that show times still render them.
 */

test.afterEach(async () => {
  await killAll();
  removeTempDirs();
});

test('the server runs on the built-in Date, before and after Next.js renders pages', async ({ page }) => {
  test.setTimeout(120_000);
  const server = await startServer({ env: { LOG_LEVEL: 'warn', NODE_OPTIONS: RUNTIME_PROBE_NODE_OPTIONS } });
  expect(await askRuntimeProbe(server, 'date')).toBe('native');

  const account = newAccount('native-date');
  expect((await signUp(server.url, account)).status).toBe(201);
  const signedIn = await page.request.post(`${server.url}/api/auth/sign-in`, { data: { email: account.email, password: account.password } });
  expect(signedIn.status()).toBe(200);
  await page.goto(`${server.url}/account/sessions`);
  await expect(page.getByText('This device')).toBeVisible();
  const today = new Date().toISOString().slice(0, 10);
  await expect(page.locator('time').first()).toHaveAttribute('datetime', new RegExp(`^${today}T`));
  expect(await askRuntimeProbe(server, 'date')).toBe('native');
  expect(server.stderr()).not.toMatch(/error/i);
  await leavePage(page);
});
