import type { APIRequestContext, Browser, Locator, Page } from '@playwright/test';
import { createAccount, expect, newAccount, test, type Account } from './pages/fixtures';
import { SignInPage } from './pages/sign-in-page';
import { createConsoleAdmin, signInToConsole } from './support/admin-console';

/**
 * User management in the admin console: an administrator finds a user who is signed in in
 * another browser and signs them out everywhere, or disables the account; the user's next page
 * load shows them signed out, and a disabled account cannot sign in again.
 */

/** The console's user list: the search form and the results. */
class AdminUsersPage {
  readonly search: Locator;
  readonly results: Locator;

  constructor(readonly page: Page) {
    this.search = page.getByRole('search', { name: 'Search users' });
    this.results = page.getByRole('table', { name: 'Users, newest first' });
  }

  async goto(): Promise<void> {
    await this.page.goto('/admin/users');
    await expect(this.page.getByRole('heading', { level: 1 })).toHaveText('Users');
  }

  /** Searches by email and opens the one user found. */
  async open(email: string): Promise<AdminUserPage> {
    await this.search.getByLabel('Email or name').fill(email);
    await Promise.all([this.page.waitForURL(/\/admin\/users\?q=/), this.search.getByRole('button', { name: 'Search' }).click()]);
    await expect(this.results.getByRole('rowheader')).toHaveCount(1);
    await Promise.all([this.page.waitForURL(/\/admin\/users\/[0-9a-f-]{36}/), this.results.getByRole('link', { name: email }).click()]);
    const user = new AdminUserPage(this.page);
    await expect(this.page.getByRole('heading', { level: 1 })).toHaveText(email);
    return user;
  }
}

/** One user's page in the console. */
class AdminUserPage {
  readonly sessions: Locator;
  readonly status: Locator;

  constructor(readonly page: Page) {
    this.sessions = page.getByRole('list', { name: 'Sessions' }).getByRole('listitem');
    this.status = page.getByRole('status');
  }

  /** Clicks an action, then its confirmation, and waits for the console's answer. */
  async confirm(action: string, confirmation: string): Promise<void> {
    await this.page.getByRole('button', { name: action }).click();
    const group = this.page.getByRole('group');
    await expect(group).toContainText('?');
    await Promise.all([
      this.page.waitForResponse((response) => new URL(response.url()).pathname.startsWith('/api/admin/console/users/') && response.status() === 200),
      group.getByRole('button', { name: confirmation }).click(),
    ]);
  }
}

/** An account with no session of its own (the sign-up's API session is ended). */
async function accountWithoutSessions(request: APIRequestContext, baseURL: string | undefined): Promise<Account> {
  const account = newAccount();
  await createAccount(request, account);
  const signedOut = await request.post('/sign-out', { headers: { origin: new URL(baseURL!).origin }, maxRedirects: 0 });
  expect(signedOut.status()).toBe(303);
  return account;
}

/** A separate browser (its own cookies) signed in as `account`, on its account page. */
async function userBrowser(browser: Browser, baseURL: string | undefined, account: Account): Promise<Page> {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  const signIn = new SignInPage(page);
  await signIn.goto();
  await signIn.signIn(account);
  await page.goto('/account');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your account');
  return page;
}

async function expectSignedOut(page: Page): Promise<void> {
  await page.goto('/account');
  await expect(page).toHaveURL(/\/sign-in\?/);
  await expect(page.getByLabel('Email', { exact: true })).toBeVisible();
}

test.describe('admin console: users', () => {
  test('an administrator signs a user out everywhere; the user’s next page load is signed out', async ({ page, request, browser, baseURL }, testInfo) => {
    const account = await accountWithoutSessions(request, baseURL);
    const user = await userBrowser(browser, baseURL, account);
    const admin = createConsoleAdmin(testInfo);
    await signInToConsole(page, admin);

    const users = new AdminUsersPage(page);
    await users.goto();
    const detail = await users.open(account.email);
    await expect(detail.sessions).toHaveCount(1);
    await expect(detail.sessions).toContainText('Chrome on Linux');

    await detail.confirm('Sign out everywhere…', 'Sign out everywhere');
    await expect(detail.status.filter({ hasText: 'was signed out everywhere' })).toContainText('1 session ended');
    await expect(page.getByText('Not signed in anywhere.')).toBeVisible();

    await expectSignedOut(user);
    await user.context().close();
  });

  test('an administrator disables a user: signed out at once, and they cannot sign in again', async ({ page, request, browser, baseURL }, testInfo) => {
    const account = await accountWithoutSessions(request, baseURL);
    const user = await userBrowser(browser, baseURL, account);
    const admin = createConsoleAdmin(testInfo);
    await signInToConsole(page, admin);

    const users = new AdminUsersPage(page);
    await users.goto();
    const userPage = await users.open(account.email);
    await userPage.confirm('Disable account…', 'Disable account');
    await expect(userPage.status.filter({ hasText: 'was disabled' })).toContainText('1 session ended');
    await expect(page.getByText('Disabled', { exact: true }).first()).toBeVisible();

    await expectSignedOut(user);
    const signIn = new SignInPage(user);
    await signIn.goto();
    await signIn.fill(account);
    expect(await signIn.submitAndWaitForResponse()).toBe(403);
    await expect(signIn.formAlert).toContainText('This account is disabled');
    await signIn.expectStillHere();
    await user.context().close();
  });

  test('the search filters by status and the detail page refuses to let an administrator disable themselves', async ({ page }, testInfo) => {
    const admin = createConsoleAdmin(testInfo);
    await signInToConsole(page, admin);
    const users = new AdminUsersPage(page);
    await users.goto();
    const self = await users.open(admin.email);
    await expect(self.page.getByRole('button', { name: 'Disable account…' })).toHaveCount(0);
    await expect(self.page.getByRole('button', { name: 'Remove admin role…' })).toHaveCount(0);
    await expect(page.getByText('This is your own account')).toBeVisible();

    await page.goto(`/admin/users?q=${encodeURIComponent(admin.email)}&status=disabled`);
    await expect(page.getByText('No user matches this search.')).toBeVisible();
    await page.goto(`/admin/users?q=${encodeURIComponent(admin.email)}&admin=true`);
    await expect(page.getByRole('table', { name: 'Users, newest first' }).getByRole('link', { name: admin.email })).toBeVisible();
  });
});
