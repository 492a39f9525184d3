import type { APIRequestContext, Browser, Page } from '@playwright/test';
import { createAccount, expect, newAccount, test, type Account } from './pages/fixtures';
import { PasswordPage, SessionsPage } from './pages/account-pages';
import { SignInPage } from './pages/sign-in-page';

/**
 * Two browsers signed in as the same user: the first sees both sessions and signs the second
 * out, or changes the password; either way the second's very next navigation lands on the
 * sign-in page, and the first stays signed in.
 */

/** A second, separate browser (its own cookies) signed in as `account`. */
async function secondBrowser(browser: Browser, baseURL: string | undefined, account: Account): Promise<Page> {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  const signIn = new SignInPage(page);
  await signIn.goto();
  await signIn.signIn(account);
  return page;
}

/** An account whose only sessions will be the browsers': the sign-up's own session (API) is ended. */
async function accountWithoutSessions(request: APIRequestContext, baseURL: string | undefined): Promise<Account> {
  const account = newAccount();
  await createAccount(request, account);
  const signedOut = await request.post('/sign-out', { headers: { origin: new URL(baseURL!).origin }, maxRedirects: 0 });
  expect(signedOut.status()).toBe(303);
  return account;
}

async function expectSignedOut(page: Page): Promise<void> {
  await page.goto('/account');
  await expect(page).toHaveURL(/\/sign-in\?/);
  await expect(page.getByLabel('Email', { exact: true })).toBeVisible();
}

test.describe('account sessions across two browsers', () => {
  test('A lists both sessions and signs B out; B’s next navigation lands on the sign-in page', async ({ page, request, browser, baseURL, signInPage }) => {
    const account = await accountWithoutSessions(request, baseURL);
    await signInPage.goto();
    await signInPage.signIn(account);
    const b = await secondBrowser(browser, baseURL, account);

    const sessions = new SessionsPage(page);
    await sessions.goto();
    await expect(sessions.sessions).toHaveCount(2);
    await expect(sessions.thisDevice).toHaveCount(1);
    await expect(sessions.thisDevice).toContainText('Chrome on Linux');
    await expect(sessions.thisDevice).toContainText('Password');
    await expect(sessions.thisDevice.getByRole('button')).toHaveCount(0);

    await sessions.signOutOther();
    await expect(sessions.sessions).toHaveCount(1);
    await expect(page.getByText('You are not signed in anywhere else.')).toBeVisible();

    await expectSignedOut(b);
    // A is still signed in.
    await page.goto('/account');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your account');
    await b.context().close();
  });

  test('a password change in A signs B out and tells A so', async ({ page, request, browser, baseURL, signInPage, guard }) => {
    const account = await accountWithoutSessions(request, baseURL);
    await signInPage.goto();
    await signInPage.signIn(account);
    const b = await secondBrowser(browser, baseURL, account);
    await b.goto('/account');
    await expect(b.getByRole('heading', { level: 1 })).toHaveText('Your account');

    const password = new PasswordPage(page);
    await password.goto();
    // A wrong current password is refused next to its field.
    guard.expectConsoleError({ path: '/api/account/password', text: 'status of 400' });
    await password.change('not my password at all', `${account.password} renewed`);
    await expect(page.getByText('Your current password is not correct.')).toBeVisible();
    await expect(password.currentPassword).toHaveAttribute('aria-invalid', 'true');

    await password.change(account.password, `${account.password} renewed`);
    await expect(password.status).toHaveText(/Your password was changed\. 1 other session was signed out\./);

    await expectSignedOut(b);
    await page.goto('/account/sessions');
    await expect(new SessionsPage(page).sessions).toHaveCount(1);

    // The new password signs in; the old one no longer does.
    const signIn = new SignInPage(b);
    await signIn.goto();
    await signIn.fill(account);
    expect(await signIn.submitAndWaitForResponse()).toBe(401);
    await signIn.fill({ email: account.email, password: `${account.password} renewed` });
    await Promise.all([b.waitForURL('/'), signIn.submit()]);
    await b.context().close();
  });
});
