import { expect, newAccount, test } from './pages/fixtures';

test.describe('content security policy in the browser', () => {
  test('no page violates the CSP, logs an error or loads anything from another origin', async ({
    page,
    baseURL,
    guard,
    signUpPage,
    signInPage,
    homePage,
  }) => {
    const origins = new Set<string>();
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.protocol !== 'data:') origins.add(url.origin);
    });
    guard.expectConsoleError({ path: '/no-such-page', text: 'status of 404' });

    await homePage.goto();
    await homePage.expectSignedOut();
    await signInPage.goto();
    await signInPage.goto('?signed_out=1');
    await expect(signInPage.signedOutNotice).toBeVisible();
    await signUpPage.goto();

    const notFound = await page.goto('/no-such-page');
    expect(notFound?.status()).toBe(404);
    await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
    await page.getByRole('link', { name: 'Go to the home page' }).click();
    await expect(page).toHaveURL('/');

    // Client-side navigation between the pages, then the signed-in home page.
    await homePage.createAccountLink.click();
    await expect(signUpPage.submitButton).toBeEnabled();
    const account = newAccount();
    await signUpPage.signUp(account);
    await homePage.expectSignedInAs(account);

    // The pages are styled (the stylesheet was allowed), not bare HTML.
    const buttonBackground = await homePage.signOutButton.evaluate((button) => getComputedStyle(button).backgroundColor);
    expect(buttonBackground).toBe('rgb(255, 255, 255)');
    const cardRadius = await page.locator('main section').evaluate((card) => getComputedStyle(card).borderTopLeftRadius);
    expect(cardRadius).not.toBe('0px');

    expect([...origins]).toEqual([new URL(baseURL!).origin]);
    // The guard fixture asserts after the test that no violation or console error occurred.
    expect(guard.violations).toEqual([]);
  });

  test('the guard itself works: injected inline handlers and style attributes are blocked and reported', async ({
    page,
    guard,
    signInPage,
  }) => {
    await signInPage.goto();
    const ran = await page.evaluate(async () => {
      // An inline event handler, as an XSS payload would bring, and an inline style attribute.
      document.body.insertAdjacentHTML('beforeend', '<img alt="" src="data:," onerror="window.__optareInjected = true">');
      const element = document.createElement('div');
      element.setAttribute('style', 'color: red');
      document.body.append(element);
      await new Promise((resolve) => setTimeout(resolve, 200));
      return (window as unknown as { __optareInjected?: boolean }).__optareInjected === true;
    });
    expect(ran).toBe(false);

    await expect
      .poll(() => [...new Set(guard.violations.map((violation) => violation.directive))].sort())
      .toEqual(['script-src-attr', 'style-src-attr']);
    guard.takeViolations();
    // Chromium logs the same refusals to the console; they were provoked on purpose here.
    await expect.poll(() => guard.consoleErrors.length).toBeGreaterThanOrEqual(2);
    const logged = guard.takeConsoleErrors();
    expect(logged.every((message) => message.includes('Content Security Policy')), logged.join('\n')).toBe(true);
  });
});
