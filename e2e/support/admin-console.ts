import fs from 'node:fs';
import path from 'node:path';
import { hkdfSync } from 'node:crypto';
import { expect, type Page, type TestInfo } from '@playwright/test';
import { encode } from 'next-auth/jwt';
import { sql } from './database';
import { newAccount } from '../pages/fixtures';
import { AuthenticatorApp } from './authenticator-app';
import { optareCli } from './optare-cli';

/** An administrator for the console's browser tests; `authenticator` is set once they enrolled one. */
export interface ConsoleAdmin {
  id: string;
  email: string;
  password: string;
  name: string;
  authenticator: AuthenticatorApp | null;
}

/** A new administrator, created headless (`optare user create --admin`), without a second factor yet. */
export function createConsoleAdmin(testInfo: TestInfo): ConsoleAdmin {
  const account = newAccount();
  const created = optareCli(testInfo, ['user', 'create', '--admin', '--email', account.email, '--password', account.password, '--name', account.name]);
  const id = (created.user as { id?: string } | undefined)?.id ?? (created.id as string);
  return { id, email: account.email, password: account.password, name: account.name, authenticator: null };
}

/**
 * Signs in to the admin console through its own OpenID Connect flow: the console's button,
 * Optare's sign-in page (password), then the second step: enrolling an authenticator app the
 * first time (administrators must have one), a code from it afterwards. Ends on the dashboard.
 */
export async function signInToConsole(page: Page, admin: ConsoleAdmin, baseURL = ''): Promise<void> {
  await page.goto(`${baseURL}/admin/sign-in`);
  await Promise.all([page.waitForURL(/\/sign-in\?request=/), page.getByRole('button', { name: 'Sign in with Optare' }).click()]);
  await page.getByLabel('Email', { exact: true }).fill(admin.email);
  await page.getByLabel('Password', { exact: true }).fill(admin.password);
  await page.locator('form button[type="submit"]').click();

  if (!admin.authenticator) {
    await page.waitForURL(/\/sign-in\/enroll/);
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    const secret = ((await page.locator('#totp-secret').textContent()) ?? '').replace(/\s/g, '');
    admin.authenticator = new AuthenticatorApp(secret);
    await page.getByLabel('Code from the app').fill(await admin.authenticator.nextCode());
    await page.getByRole('button', { name: 'Verify and turn on' }).click();
    await expect(page.getByRole('list', { name: 'Recovery codes', exact: true }).getByRole('listitem')).toHaveCount(10);
    // Setting up a factor is not signing in with one: the console's request for MFA asks for a code next.
    await page.getByRole('link', { name: 'Continue' }).click();
  }
  await page.waitForURL(/\/sign-in\/second-factor/);
  await page.getByLabel('Authentication code').fill(await admin.authenticator.nextCode());
  await Promise.all([page.waitForURL(/\/admin(\?|$)/), page.getByRole('button', { name: 'Verify', exact: true }).click()]);
  await expect(page.getByRole('navigation', { name: 'Admin console' })).toBeVisible();
}

/**
 * A console cookie for Optare session `sessionId`, sealed with the server's key as next-auth
 * seals it (the embedded server's data directory holds the development key). With it a test can
 * show that the console's server-side checks, not the sign-in flow alone, keep people out.
 */
export async function forgeConsoleCookie(testInfo: TestInfo, sessionId: string): Promise<{ name: string; value: string }> {
  const keyFile = path.join(process.env.OPTARE_E2E_DATA_DIR!, testInfo.project.name === 'postgres' ? 'pg' : 'embedded', 'encryption.key');
  const key = Buffer.from(fs.readFileSync(keyFile, 'utf8').trim(), 'base64');
  const secret = Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'optare admin console session', 32)).toString('base64url');
  return { name: 'next-auth.session-token', value: await encode({ token: { sid: sessionId }, secret }) };
}

/** The id of the newest session of the user with this email. */
export async function latestSessionId(testInfo: TestInfo, email: string): Promise<string> {
  const rows = await sql<{ id: string }>(
    testInfo,
    'SELECT s.id FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = $1 ORDER BY s.created_at DESC LIMIT 1',
    [email],
  );
  if (!rows[0]) throw new Error(`${email} has no session`);
  return rows[0].id;
}
