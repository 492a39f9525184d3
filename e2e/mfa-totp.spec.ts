import type { Page } from '@playwright/test';
import { createAccount, expect, newAccount, test, type Account } from './pages/fixtures';
import type { HomePage } from './pages/home-page';
import { SecondFactorPage } from './pages/second-factor-page';
import { SecurityPage } from './pages/security-page';
import type { SignInPage } from './pages/sign-in-page';
import { AuthenticatorApp } from './support/authenticator-app';
import { ageSessions } from './support/database';

/**
 * Authenticator apps (TOTP) and recovery codes end to end: set up from the security page by
 * reading the setup key like a person would, codes computed in the test; the second step of
 * sign-in; replayed and stale codes; recovery codes used once and replaced; "remember this
 * browser"; and the fresh sign-in that removing the app requires.
 */

const INVALID_CODE = /^That code is not valid\. (\d) tries? left\.$/;

/** A new account, signed in in this browser, with an authenticator app set up; returns the app and the recovery codes shown. */
async function accountWithAuthenticatorApp(page: Page) {
  const account = newAccount();
  await createAccount(page.request, account);
  const security = new SecurityPage(page);
  await security.goto();
  const app = new AuthenticatorApp(await security.startTotpSetup());
  await security.confirmTotp(await app.nextCode());
  await expect(security.status(security.authenticatorApp)).toHaveText('Authenticator app turned on.');
  const recoveryCodes = await security.readShownCodes();
  return { account, app, security, recoveryCodes };
}

/** Signs out, signs in with the password, and arrives at the second step. */
async function passwordThenSecondStep(homePage: HomePage, signInPage: SignInPage, account: Account): Promise<SecondFactorPage> {
  await homePage.goto();
  await homePage.signOut();
  await signInPage.goto();
  await signInPage.fill(account);
  await Promise.all([signInPage.page.waitForURL('/sign-in/second-factor'), signInPage.submit()]);
  const secondFactor = new SecondFactorPage(signInPage.page);
  await secondFactor.expectShown();
  return secondFactor;
}

test.describe('authenticator app', () => {
  test.setTimeout(120_000);

  test('set up from the page (QR code and setup key), then sign in with the password and a code @postgres', async ({ page, guard, signInPage, homePage }) => {
    guard.expectConsoleError({ path: '/api/account/totp/confirm', text: 'status of 400' });
    const account = newAccount();
    await createAccount(page.request, account);
    const security = new SecurityPage(page);
    await security.goto();
    await expect(security.recoveryCodes).toContainText('Recovery codes come with your first authenticator app or passkey.');

    const secret = await security.startTotpSetup();
    const qr = security.authenticatorApp.getByRole('img', { name: 'QR code to add Optare to your authenticator app' });
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml;base64,/);
    const app = new AuthenticatorApp(secret);

    // A wrong code is refused next to the field, and the app is not turned on.
    const wrong = app.isInsideWindow('000000') ? '111111' : '000000';
    await security.confirmTotp(wrong);
    await expect(security.authenticatorApp.getByLabel('Code from the app')).toHaveAccessibleDescription(/^That code is not valid/);
    await security.confirmTotp(await app.nextCode());
    await expect(security.status(security.authenticatorApp)).toHaveText('Authenticator app turned on.');
    await expect(security.authenticatorApp).toContainText('On. Sign-ins ask for a code from your authenticator app.');
    expect(await security.readShownCodes()).toHaveLength(10);
    await page.reload();
    // Shown once: a reload does not show them again, it counts them.
    await expect(security.shownCodes).toHaveCount(0);
    await expect(security.recoveryCodes).toContainText('10 unused recovery codes left.');

    const secondFactor = await passwordThenSecondStep(homePage, signInPage, account);
    await Promise.all([page.waitForURL('/'), secondFactor.submitCode(await app.nextCode())]);
    await homePage.expectSignedInAs(account);
  });

  test('a replayed code and a code from 3 steps ago are refused; a fresh one passes', async ({ page, guard, signInPage, homePage }) => {
    guard.expectConsoleError({ path: '/api/auth/second-factor', text: 'status of 401' });
    const { account, app } = await accountWithAuthenticatorApp(page);

    let secondFactor = await passwordThenSecondStep(homePage, signInPage, account);
    const used = await app.nextCode();
    await Promise.all([page.waitForURL('/'), secondFactor.submitCode(used)]);

    secondFactor = await passwordThenSecondStep(homePage, signInPage, account);
    expect(await secondFactor.submitCode(used)).toBe(401);
    await expect(secondFactor.alert).toHaveText('That code is not valid. 4 tries left.');
    const stale = app.codeFrom(3);
    if (!app.isInsideWindow(stale)) {
      expect(await secondFactor.submitCode(stale)).toBe(401);
      await expect(secondFactor.alert).toHaveText('That code is not valid. 3 tries left.');
    }
    await expect(page).toHaveURL('/sign-in/second-factor');
    await Promise.all([page.waitForURL('/'), secondFactor.submitCode(await app.nextCode())]);
    await homePage.expectSignedInAs(account);
  });

  test('removing the app needs a fresh sign-in: “Confirm it’s you” and back to the page', async ({ page, request, guard, signInPage }, testInfo) => {
    guard.expectConsoleError({ path: '/api/account/totp/remove', text: 'status of 403' });
    const { account, app, security } = await accountWithAuthenticatorApp(page);
    // The sign-in was 11 minutes ago, as far as the server knows.
    await ageSessions(testInfo, account.email, 11);
    const cookieName = 'optare_session';
    const staleCookie = (await page.context().cookies()).find((cookie) => cookie.name === cookieName)!.value;

    await security.goto();
    await security.authenticatorApp.getByRole('button', { name: 'Remove…' }).click();
    await security.authenticatorApp.getByRole('button', { name: 'Remove authenticator app' }).click();
    await expect(security.alert(security.authenticatorApp)).toHaveText('For your security, sign in again to make this change. Confirm it’s you');
    await expect(security.authenticatorApp).toContainText('On.');

    await security.authenticatorApp.getByRole('link', { name: 'Confirm it’s you' }).click();
    await expect(page).toHaveURL('/sign-in?reauth=1&next=/account/security');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Confirm it’s you');
    // The email is filled in for the signed-in user; nothing secret is.
    await expect(signInPage.email).toHaveValue(account.email);
    await expect(signInPage.password).toHaveValue('');
    await expect(page.getByRole('link', { name: 'Create an account' })).toHaveCount(0);
    await signInPage.password.fill(account.password);
    await Promise.all([page.waitForURL('/sign-in/second-factor?next=%2Faccount%2Fsecurity'), signInPage.submit()]);
    const secondFactor = new SecondFactorPage(page);
    await Promise.all([page.waitForURL('/account/security'), secondFactor.submitCode(await app.nextCode())]);

    // A new session: the one from before the re-authentication no longer works.
    const freshCookie = (await page.context().cookies()).find((cookie) => cookie.name === cookieName)!.value;
    expect(freshCookie).not.toBe(staleCookie);
    // From outside the browser: the answer deletes the cookie of the ended session, which in the
    // browser's own jar would be the fresh one of the same name.
    const withStale = await request.fetch('/api/account/totp/remove', {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: `${cookieName}=${staleCookie}` },
      data: '{}',
    });
    expect(withStale.status()).toBe(401);

    await security.authenticatorApp.getByRole('button', { name: 'Remove…' }).click();
    await security.authenticatorApp.getByRole('button', { name: 'Remove authenticator app' }).click();
    await expect(security.status(security.authenticatorApp)).toHaveText(
      'Authenticator app removed. It was your last second factor, so your recovery codes were deleted too.',
    );
    await expect(security.authenticatorApp.getByRole('button', { name: 'Set up an authenticator app' })).toBeVisible();
    await expect(security.recoveryCodes).toContainText('Recovery codes come with your first authenticator app or passkey.');
  });
});

test.describe('recovery codes', () => {
  test.setTimeout(120_000);

  test('sign in with one; the same one again fails; regenerating invalidates the old set', async ({ page, guard, signInPage, homePage }) => {
    guard.expectConsoleError({ path: '/api/auth/second-factor', text: 'status of 401' });
    const { account, recoveryCodes: old } = await accountWithAuthenticatorApp(page);
    for (const code of old) expect(code).toMatch(/^[0-9a-z]{4}(-[0-9a-z]{4}){5}$/);

    let secondFactor = await passwordThenSecondStep(homePage, signInPage, account);
    await secondFactor.useRecoveryCode.click();
    await Promise.all([page.waitForURL('/'), secondFactor.submitCode(old[0]!, secondFactor.recoveryCode)]);
    await homePage.expectSignedInAs(account);
    const security = new SecurityPage(page);
    await security.goto();
    await expect(security.recoveryCodes).toContainText('9 unused recovery codes left.');

    secondFactor = await passwordThenSecondStep(homePage, signInPage, account);
    await secondFactor.useRecoveryCode.click();
    expect(await secondFactor.submitCode(old[0]!, secondFactor.recoveryCode)).toBe(401);
    await expect(secondFactor.alert).toHaveText(INVALID_CODE);
    // Typed differently (upper case, spaces for dashes), another code still works.
    await Promise.all([page.waitForURL('/'), secondFactor.submitCode(old[1]!.toUpperCase().replaceAll('-', ' '), secondFactor.recoveryCode)]);

    await security.goto();
    await security.recoveryCodes.getByRole('button', { name: 'Generate new recovery codes…' }).click();
    await security.recoveryCodes.getByRole('button', { name: 'Generate new codes' }).click();
    await expect(security.status(security.recoveryCodes)).toHaveText('New recovery codes generated. Your old codes no longer work.');
    const fresh = await security.readShownCodes();
    expect(fresh.filter((code) => old.includes(code))).toEqual([]);
    await expect(security.recoveryCodes).toContainText('10 unused recovery codes left.');
    // Copy puts them on the clipboard; Download saves them as a text file.
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await security.recoveryCodes.getByRole('button', { name: 'Copy codes' }).click();
    await expect(security.recoveryCodes.getByText('Recovery codes copied.')).toBeVisible();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(fresh.join('\n'));
    const [download] = await Promise.all([page.waitForEvent('download'), security.recoveryCodes.getByRole('button', { name: 'Download .txt' }).click()]);
    expect(download.suggestedFilename()).toBe('optare-recovery-codes.txt');
    const text = await (await download.createReadStream()).toArray();
    const file = Buffer.concat(text).toString('utf8');
    for (const code of fresh) expect(file).toContain(code);

    secondFactor = await passwordThenSecondStep(homePage, signInPage, account);
    await secondFactor.useRecoveryCode.click();
    expect(await secondFactor.submitCode(old[2]!, secondFactor.recoveryCode)).toBe(401);
    await expect(secondFactor.alert).toHaveText(INVALID_CODE);
    await Promise.all([page.waitForURL('/'), secondFactor.submitCode(fresh[0]!, secondFactor.recoveryCode)]);
    await homePage.expectSignedInAs(account);
  });
});

test.describe('remember this browser', () => {
  test.setTimeout(120_000);

  test('after the second step with the box ticked, the password alone signs in here, until the browser is removed', async ({
    page,
    signInPage,
    homePage,
  }) => {
    const { account, app } = await accountWithAuthenticatorApp(page);
    const secondFactor = await passwordThenSecondStep(homePage, signInPage, account);
    await secondFactor.rememberBrowser.check();
    await Promise.all([page.waitForURL('/'), secondFactor.submitCode(await app.nextCode())]);

    // Same browser: the password leads straight home.
    await homePage.signOut();
    await signInPage.goto();
    await signInPage.signIn(account);
    await homePage.expectSignedInAs(account);

    const security = new SecurityPage(page);
    await security.goto();
    const browsers = security.rememberedBrowsers.getByRole('list', { name: 'Remembered browsers' }).getByRole('listitem');
    await expect(browsers).toHaveCount(1);
    await expect(browsers.first()).toContainText('Chrome on Linux');
    await expect(browsers.first()).toContainText(/IP (127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)/);
    await security.rememberedBrowsers.getByRole('button', { name: 'Remove Chrome on Linux' }).click();
    await expect(security.status(security.rememberedBrowsers)).toHaveText('Chrome on Linux will ask for your second factor again.');
    await expect(security.rememberedBrowsers.getByText('No browser skips your second factor.')).toBeVisible();

    // Forgotten: the second step is back.
    const again = await passwordThenSecondStep(homePage, signInPage, account);
    await expect(again.rememberBrowser).not.toBeChecked();
  });

  test('another browser (a new context) is still asked for the second step', async ({ page, browser, signInPage, homePage }) => {
    const { account, app } = await accountWithAuthenticatorApp(page);
    const secondFactor = await passwordThenSecondStep(homePage, signInPage, account);
    await secondFactor.rememberBrowser.check();
    await Promise.all([page.waitForURL('/'), secondFactor.submitCode(await app.nextCode())]);

    const other = await browser.newContext({ baseURL: new URL(page.url()).origin });
    try {
      const response = await other.request.post('/api/auth/sign-in', { data: { email: account.email, password: account.password } });
      expect(response.status()).toBe(200);
      expect((await response.json()).redirectTo).toBe('/sign-in/second-factor');
    } finally {
      await other.close();
    }
  });
});
