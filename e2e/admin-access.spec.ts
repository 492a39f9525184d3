import path from 'node:path';
import type { APIRequestContext, BrowserContext, Page, TestInfo } from '@playwright/test';
import { createAccount, expect, newAccount, test } from './pages/fixtures';
import { SignInPage } from './pages/sign-in-page';
import { createConsoleAdmin, forgeConsoleCookie, latestSessionId, signInToConsole } from './support/admin-console';
import { sql } from './support/database';
import { files, ROOT, routes, urlPath } from './support/app-tree';

/**
 * Who gets into the admin console. Every page and every console route is listed from the source
 * tree (not a sample), and each is tried by people who must be kept out: nobody signed in, a
 * user without the admin role, and an administrator whose session has no second factor, the
 * last two even holding a valid console cookie for their session (sealed with the server's key),
 * so it is the server's own checks on each request that are tested, not the sign-in flow.
 */

const ADMIN_PAGES = files(path.join(ROOT, 'app/admin'), 'page.tsx')
  .filter((file) => !file.includes(`${path.sep}sign-in${path.sep}`))
  .map((file) => urlPath(file));

const CONSOLE_ROUTES = routes('app/api/admin/console');
const API_ROUTES = routes('app/api/admin/v1').filter((route) => !route.path.endsWith('/openapi.json'));

test('the route lists are not empty (the tree is read, not assumed)', () => {
  expect(ADMIN_PAGES).toContain('/admin');
  expect(ADMIN_PAGES.length).toBeGreaterThanOrEqual(7);
  expect(CONSOLE_ROUTES.length).toBeGreaterThan(0);
  expect(API_ROUTES.length).toBeGreaterThan(0);
});

async function call(request: APIRequestContext, baseURL: string, route: { method: string; path: string }) {
  return request.fetch(route.path, {
    method: route.method,
    headers: { origin: baseURL, 'content-type': 'application/json' },
    data: route.method === 'GET' ? undefined : '{}',
    maxRedirects: 0,
  });
}

/** Every page sends the visitor to the console's sign-in (with `reason`, when one is given). */
async function expectEveryPageRefused(page: Page, reason?: string) {
  for (const pagePath of ADMIN_PAGES) {
    await page.goto(pagePath);
    await expect(page, `${pagePath} must be refused`).toHaveURL(new RegExp(`/admin/sign-in${reason ? `\\?error=${reason}` : '$'}`));
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Optare admin console');
  }
}

/** Every console route answers 401 or 403 and nothing else. */
async function expectEveryConsoleRouteRefused(context: BrowserContext, baseURL: string, status: 401 | 403) {
  for (const route of CONSOLE_ROUTES) {
    const response = await call(context.request, baseURL, route);
    expect(response.status(), `${route.method} ${route.path}`).toBe(status);
    expect(response.headers()['cache-control']).toContain('no-store');
  }
}

/** Signs `email` in to Optare with the password only, then gives the browser a valid console cookie for that session. */
async function withForgedConsoleCookie(page: Page, testInfo: TestInfo, baseURL: string, credentials: { email: string; password: string }) {
  const signIn = new SignInPage(page);
  await signIn.goto();
  await signIn.signIn(credentials);
  const sessionId = await latestSessionId(testInfo, credentials.email);
  await sql(testInfo, 'UPDATE sessions SET console_seen_at = now() WHERE id = $1', [sessionId]);
  const cookie = await forgeConsoleCookie(testInfo, sessionId);
  await page.context().addCookies([{ ...cookie, url: baseURL, httpOnly: true, sameSite: 'Lax' }]);
}

test('nobody signed in reaches no admin page and no console route', async ({ page, baseURL }) => {
  await expectEveryPageRefused(page);
  await expectEveryConsoleRouteRefused(page.context(), baseURL!, 401);
});

test('a user without the admin role is kept out of every page and route, even with a console cookie', async ({ page, request, baseURL }, testInfo) => {
  const account = newAccount();
  await createAccount(request, account);
  await withForgedConsoleCookie(page, testInfo, baseURL!, account);
  await expectEveryPageRefused(page, 'not_admin');
  await expectEveryConsoleRouteRefused(page.context(), baseURL!, 403);
});

test('an administrator signed in without a second factor is kept out of every page and route', async ({ page, baseURL }, testInfo) => {
  const admin = createConsoleAdmin(testInfo);
  await withForgedConsoleCookie(page, testInfo, baseURL!, admin);
  await expectEveryPageRefused(page, 'mfa_required');
  await expectEveryConsoleRouteRefused(page.context(), baseURL!, 403);
});

test('a new administrator signs in through Optare, setting up an authenticator app first, and signs out', async ({ page, baseURL }, testInfo) => {
  const admin = createConsoleAdmin(testInfo);
  await signInToConsole(page, admin);
  await expect(page).toHaveURL(/\/admin$/);
  await expect(page.getByText(admin.email)).toBeVisible();
  // The admin API takes API keys only: the console's cookies open none of its routes.
  for (const route of API_ROUTES) {
    const response = await call(page.context().request, baseURL!, route);
    expect(response.status(), `${route.method} ${route.path}`).toBe(401);
  }
  await Promise.all([page.waitForURL(/\/admin\/sign-in\?signed_out=1$/), page.getByRole('button', { name: 'Sign out' }).click()]);
  await expect(page.getByRole('status')).toHaveText('You have signed out of the admin console.');
  await page.goto('/admin');
  await expect(page).toHaveURL(/\/admin\/sign-in$/);
  // Signing out of the console signed out of Optare too.
  await page.goto('/account');
  await expect(page).toHaveURL(/\/sign-in/);
});

test('the console signs an administrator out after 15 idle minutes; the Optare session lives on', async ({ page }, testInfo) => {
  const admin = createConsoleAdmin(testInfo);
  await signInToConsole(page, admin);
  const sessionId = await latestSessionId(testInfo, admin.email);
  await sql(testInfo, "UPDATE sessions SET console_seen_at = now() - interval '16 minutes' WHERE id = $1", [sessionId]);
  await page.goto('/admin');
  await expect(page).toHaveURL(/\/admin\/sign-in\?error=idle$/);
  await expect(page.locator('#console-refusal')).toContainText('signed out of the admin console after a period of inactivity');
  await page.goto('/account');
  await expect(page).toHaveURL(/\/account$/);
});

test('losing the admin role ends console access at the next click', async ({ page }, testInfo) => {
  const admin = createConsoleAdmin(testInfo);
  await signInToConsole(page, admin);
  // The page leaves first: the console's own session check would otherwise notice the change
  // on its own (a 403) and navigate, racing the request this test makes.
  await page.goto('about:blank');
  await sql(testInfo, 'UPDATE users SET is_admin = false WHERE email = $1', [admin.email]);
  await page.goto('/admin');
  await expect(page).toHaveURL(/\/admin\/sign-in\?error=not_admin$/);
});
