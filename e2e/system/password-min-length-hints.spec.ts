import { expect, test } from '../pages/fixtures';
import { withEmbeddedSql } from './embedded-sql';
import { killAll, leavePage, newAccount, removeTempDirs, signIn, signUp, startServer } from './server';

/**
 * The minimum password length is a runtime setting an administrator may raise (lib/settings). The
 * forms that choose a password say the minimum in force, not the code's floor of 12, on a server
 * of its own (the setting would change every other test's server). The row is written the way the
 * console stores it; the server's settings cache (5 s) picks it up.
 */

test.afterEach(async () => {
  await killAll();
  removeTempDirs();
});

test('sign-up, password change and reset say the minimum length an administrator set', async ({ page }) => {
  test.setTimeout(120_000);
  const server = await startServer({ env: { LOG_LEVEL: 'warn' } });
  const account = newAccount('min-length');
  expect((await signUp(server.url, account)).status).toBe(201);
  await page.goto(`${server.url}/sign-up`);
  await expect(page.getByText('Use 12 to 128 characters.')).toBeVisible();

  await withEmbeddedSql(server.dataDir, (sql) =>
    sql.query(`INSERT INTO settings (key, value, updated_at) VALUES ('passwordMinLength', '16'::jsonb, now())`),
  );
  await expect(async () => {
    await page.goto(`${server.url}/sign-up`);
    await expect(page.getByText('Use 16 to 128 characters.')).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 20_000 });

  // The form shows once a token-shaped fragment is there; the token itself is checked only when sent.
  await page.goto(`${server.url}/reset-password#token=${'A'.repeat(43)}`);
  await expect(page.getByText('Use 16 to 128 characters.')).toBeVisible();

  const signedIn = await page.request.post(`${server.url}/api/auth/sign-in`, { data: { email: account.email, password: account.password } });
  expect(signedIn.status()).toBe(200);
  await page.goto(`${server.url}/account/password`);
  await expect(page.getByText('16 to 128 characters.')).toBeVisible();

  // What the hint says is what the server holds to.
  const short = await signUp(server.url, { ...newAccount('too-short'), password: 'Fifteen-chars-1' });
  expect(short.status).toBe(400);
  expect(JSON.stringify(await short.json())).toContain('Use at least 16 characters.');
  expect((await signIn(server.url, account)).status).toBe(200);
  await leavePage(page);
});
