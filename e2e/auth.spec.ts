import { MESSAGES, apiRequests, createAccount, expect, newAccount, test } from './pages/fixtures';

test.describe('sign-up, sign-out and sign-in', () => {
  test('a new user signs up, lands home signed in, signs out and signs in again @postgres', async ({
    page,
    signUpPage,
    signInPage,
    homePage,
  }) => {
    const account = newAccount();

    await signUpPage.goto();
    await expect(signUpPage.passwordHint).toContainText('Use 12 to 128 characters.');
    await expect(signUpPage.password).toHaveAccessibleDescription(/Use 12 to 128 characters\./);
    await signUpPage.signUp(account);
    await homePage.expectSignedInAs(account);

    await homePage.signOut();
    await expect(page).toHaveURL('/sign-in?signed_out=1');
    await expect(signInPage.signedOutNotice).toHaveText(MESSAGES.signedOut);
    await homePage.goto();
    await homePage.expectSignedOut();

    await signInPage.goto();
    await expect(signInPage.signedOutNotice).toHaveCount(0);
    await signInPage.signIn(account);
    await homePage.expectSignedInAs(account);
    // The session survives a reload: the home page reads it from the cookie on the server.
    await page.reload();
    await homePage.expectSignedInAs(account);
  });

  test('the home page offers sign-in and sign-up to a visitor without a session', async ({ page, homePage, signUpPage }) => {
    await homePage.goto();
    await homePage.expectSignedOut();
    await homePage.createAccountLink.click();
    await expect(page).toHaveURL('/sign-up');
    await expect(signUpPage.submitButton).toBeEnabled();
  });
});

test.describe('sign-in failures', () => {
  test('a wrong password shows the generic message and the user stays signed out', async ({
    page,
    request,
    guard,
    signInPage,
    homePage,
  }) => {
    const account = newAccount();
    await createAccount(request, account);
    guard.expectConsoleError({ path: '/api/auth/sign-in', text: 'status of 401' });

    await signInPage.goto();
    await signInPage.fill({ email: account.email, password: `${account.password}-wrong` });
    expect(await signInPage.submitAndWaitForResponse()).toBe(401);

    await expect(signInPage.formAlert).toHaveText(MESSAGES.invalidCredentials);
    await signInPage.expectStillHere();
    await signInPage.expectNoFieldError(signInPage.email);
    await signInPage.expectNoFieldError(signInPage.password);
    await expect(signInPage.submitButton).toBeEnabled();
    expect((await page.context().cookies()).map((cookie) => cookie.name)).not.toContain('optare_session');
    await homePage.goto();
    await homePage.expectSignedOut();
  });

  test('an unknown email shows exactly the same message as a wrong password', async ({ guard, signInPage, homePage }) => {
    guard.expectConsoleError({ path: '/api/auth/sign-in', text: 'status of 401' });
    await signInPage.goto();
    await signInPage.fill({ email: newAccount().email, password: 'a perfectly fine password' });
    expect(await signInPage.submitAndWaitForResponse()).toBe(401);

    await expect(signInPage.formAlert).toHaveText(MESSAGES.invalidCredentials);
    await signInPage.expectNoFieldError(signInPage.email);
    await homePage.goto();
    await homePage.expectSignedOut();
  });

  test('a network failure says Optare could not be reached and lets the user retry', async ({ page, guard, signInPage }) => {
    const account = newAccount();
    await page.route('**/api/auth/sign-in', (route) => route.abort('internetdisconnected'));
    guard.expectConsoleError({ path: '/api/auth/sign-in', text: 'net::ERR_' });

    await signInPage.goto();
    await signInPage.fill(account);
    await signInPage.submit();
    await expect(signInPage.formAlert).toHaveText(MESSAGES.network);
    await expect(signInPage.submitButton).toHaveText('Sign in');
    await expect(signInPage.submitButton).toBeEnabled();
    await signInPage.expectStillHere();
  });
});

test.describe('form behaviour', () => {
  test('empty, invalid and short values are reported next to each field without a request', async ({
    page,
    signInPage,
    signUpPage,
  }) => {
    const requests = apiRequests(page);

    await signInPage.goto();
    await signInPage.submit();
    await signInPage.expectFieldError(signInPage.email, MESSAGES.enterEmail);
    await signInPage.expectFieldError(signInPage.password, MESSAGES.enterPassword);
    await expect(signInPage.email).toBeFocused();
    await expect(signInPage.formAlert).toBeEmpty();

    await signUpPage.goto();
    await signUpPage.submit();
    await signUpPage.expectFieldError(signUpPage.email, MESSAGES.enterEmail);
    await signUpPage.expectFieldError(signUpPage.name, MESSAGES.enterName);
    await signUpPage.expectFieldError(signUpPage.password, MESSAGES.passwordTooShort);

    await signUpPage.fill({ email: 'not-an-email', name: 'Ada', password: 'short' });
    await signUpPage.expectFieldError(signUpPage.email, MESSAGES.invalidEmail);
    await signUpPage.expectNoFieldError(signUpPage.name);
    await signUpPage.expectFieldError(signUpPage.password, MESSAGES.passwordTooShort);
    // The password's hint stays linked after the error, so both are read out.
    await expect(signUpPage.password).toHaveAccessibleDescription(/Use at least 12 characters\..*Use 12 to 128 characters\./);

    // After the first submit, each change revalidates the field.
    await signUpPage.email.fill('ada@example.test');
    await signUpPage.expectNoFieldError(signUpPage.email);
    await signUpPage.password.fill('a much longer passphrase');
    await signUpPage.expectNoFieldError(signUpPage.password);

    expect(requests.map((request) => request.url())).toEqual([]);
  });

  test('the server’s field errors appear next to their field (common password)', async ({ guard, signUpPage, homePage }) => {
    guard.expectConsoleError({ path: '/api/auth/sign-up', text: 'status of 400' });
    await signUpPage.goto();
    await signUpPage.fill({ ...newAccount(), password: 'qwerty123456789' });
    expect(await signUpPage.submitAndWaitForResponse()).toBe(400);

    await signUpPage.expectFieldError(signUpPage.password, MESSAGES.commonPassword);
    await expect(signUpPage.password).toBeFocused();
    await expect(signUpPage.formAlert).toBeEmpty();
    await homePage.goto();
    await homePage.expectSignedOut();
  });

  test('a duplicate sign-up shows the email error, also when the address differs only in case', async ({
    request,
    guard,
    signUpPage,
  }) => {
    const account = newAccount();
    await createAccount(request, account);
    guard.expectConsoleError({ path: '/api/auth/sign-up', text: 'status of 409' });

    await signUpPage.goto();
    await signUpPage.fill({ ...newAccount(), email: account.email.toUpperCase() });
    expect(await signUpPage.submitAndWaitForResponse()).toBe(409);
    await signUpPage.expectFieldError(signUpPage.email, MESSAGES.emailTaken);
    await expect(signUpPage.page).toHaveURL('/sign-up');

    // Editing the address clears the server's error (revalidation on change).
    await signUpPage.email.fill(newAccount().email);
    await signUpPage.expectNoFieldError(signUpPage.email);
  });

  test('the submit buttons are disabled and say what is happening while the request is pending', async ({
    page,
    signInPage,
    signUpPage,
    homePage,
  }) => {
    const account = newAccount();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/api/auth/sign-up', async (route) => {
      await held;
      await route.continue();
    });

    await signUpPage.goto();
    await signUpPage.fill(account);
    await signUpPage.submit();
    await expect(signUpPage.submitButton).toHaveText('Creating account…');
    await expect(signUpPage.submitButton).toBeDisabled();
    release();
    await page.waitForURL('/');
    await homePage.expectSignedInAs(account);

    let releaseSignIn!: () => void;
    const heldSignIn = new Promise<void>((resolve) => (releaseSignIn = resolve));
    await page.route('**/api/auth/sign-in', async (route) => {
      await heldSignIn;
      await route.continue();
    });
    await signInPage.goto();
    await signInPage.fill(account);
    await signInPage.submit();
    await expect(signInPage.submitButton).toHaveText('Signing in…');
    await expect(signInPage.submitButton).toBeDisabled();
    releaseSignIn();
    await page.waitForURL('/');
    await homePage.expectSignedInAs(account);
  });

  test('both forms work with the keyboard alone, with a visible focus ring', async ({ page, signUpPage, signInPage, homePage }) => {
    const account = newAccount();
    const focusRing = () =>
      page.evaluate(() => {
        const style = getComputedStyle(document.activeElement as Element);
        return { boxShadow: style.boxShadow, outlineStyle: style.outlineStyle, outlineWidth: style.outlineWidth };
      });
    const unfocusedShadow = () => signUpPage.name.evaluate((input) => getComputedStyle(input).boxShadow);

    await signUpPage.goto();
    await page.keyboard.press('Tab');
    await expect(signUpPage.email).toBeFocused();
    // The focused input draws a ring (a box-shadow) that an unfocused one does not have.
    expect((await focusRing()).boxShadow).not.toBe(await unfocusedShadow());
    await page.keyboard.type(account.email);
    await page.keyboard.press('Tab');
    await expect(signUpPage.name).toBeFocused();
    await page.keyboard.type(account.name);
    await page.keyboard.press('Tab');
    await expect(signUpPage.password).toBeFocused();
    await page.keyboard.type(account.password);
    await Promise.all([page.waitForURL('/'), page.keyboard.press('Enter')]);
    await homePage.expectSignedInAs(account);

    // Sign out is the first focusable element on the signed-in home page.
    await page.keyboard.press('Tab');
    await expect(homePage.signOutButton).toBeFocused();
    const ring = await focusRing();
    expect(ring.outlineStyle).not.toBe('none');
    expect(ring.outlineWidth).toBe('2px');
    await Promise.all([page.waitForURL('/sign-in?signed_out=1'), page.keyboard.press('Enter')]);

    await expect(signInPage.submitButton).toBeEnabled();
    await page.keyboard.press('Tab');
    await expect(signInPage.email).toBeFocused();
    await page.keyboard.type(account.email);
    await page.keyboard.press('Tab');
    await expect(signInPage.password).toBeFocused();
    await page.keyboard.type(account.password);
    await Promise.all([page.waitForURL('/'), page.keyboard.press('Enter')]);
    await homePage.expectSignedInAs(account);
  });

  test('every input has a label and the autocomplete hint password managers need', async ({ signInPage, signUpPage }) => {
    await signInPage.goto();
    await expect(signInPage.email).toHaveAttribute('autocomplete', 'username webauthn');
    await expect(signInPage.email).toHaveAttribute('type', 'email');
    await expect(signInPage.password).toHaveAttribute('autocomplete', 'current-password');
    await expect(signInPage.password).toHaveAttribute('type', 'password');

    await signUpPage.goto();
    await expect(signUpPage.email).toHaveAttribute('autocomplete', 'email');
    await expect(signUpPage.name).toHaveAttribute('autocomplete', 'name');
    await expect(signUpPage.password).toHaveAttribute('autocomplete', 'new-password');
    await expect(signUpPage.password).toHaveAttribute('type', 'password');
  });
});

test.describe('hostile input', () => {
  const TEN_KB = 'x'.repeat(10 * 1024);

  test('a 10 kB string in any field is refused next to that field, before any request', async ({ page, signUpPage, signInPage }) => {
    const requests = apiRequests(page);

    await signUpPage.goto();
    await signUpPage.fill({ email: `${TEN_KB}@example.test`, name: TEN_KB, password: TEN_KB });
    await signUpPage.submit();
    await signUpPage.expectFieldError(signUpPage.email, MESSAGES.emailTooLong);
    await signUpPage.expectFieldError(signUpPage.name, MESSAGES.nameTooLong);
    await signUpPage.expectFieldError(signUpPage.password, MESSAGES.passwordTooLong);

    await signInPage.goto();
    await signInPage.fill({ email: `${TEN_KB}@example.test`, password: TEN_KB });
    await signInPage.submit();
    await signInPage.expectFieldError(signInPage.email, MESSAGES.emailTooLong);
    await signInPage.expectFieldError(signInPage.password, MESSAGES.signInPasswordTooLong);

    expect(requests.map((request) => request.url())).toEqual([]);
  });

  test('the server refuses the same oversized values when the browser is bypassed', async ({ request }) => {
    const response = await request.post('/api/auth/sign-up', { data: { ...newAccount(), name: 'x'.repeat(10 * 1024) } });
    expect(response.status()).toBe(400);
    expect((await response.json()).fieldErrors.name).toEqual([MESSAGES.nameTooLong]);
  });

  test('markup typed as the name is stored and shown as plain text, never run', async ({ page, signUpPage, homePage }) => {
    const dialogs: string[] = [];
    page.on('dialog', async (dialog) => {
      dialogs.push(dialog.message());
      await dialog.dismiss();
    });
    const account = newAccount({ name: '<script>alert(1)</script><img src=x onerror=alert(2)> &amp; "q"' });

    await signUpPage.goto();
    await signUpPage.signUp(account);
    await homePage.expectSignedInAs(account);
    await page.reload();
    await homePage.expectSignedInAs(account);

    // The server escaped it (the characters are text in the HTML, not elements) and nothing ran.
    const html = await page.content();
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt; &amp;amp; "q"');
    await expect(page.locator('main script, main img')).toHaveCount(0);
    expect(dialogs).toEqual([]);
  });

  test('a name with a right-to-left override or zero-width characters is refused with a field error', async ({
    page,
    request,
    signUpPage,
  }) => {
    const requests = apiRequests(page);
    // Inside the name: a leading or trailing U+FEFF is whitespace to String.prototype.trim and is removed.
    const names = ['Alice\u202Egnp.exe', 'Al\u200Bice', 'Bo\u200Db', 'E\uFEFFve', 'Mallory\u2066x'];

    await signUpPage.goto();
    await signUpPage.fill(newAccount());
    for (const name of names) {
      await signUpPage.name.fill(name);
      await signUpPage.submit();
      await signUpPage.expectFieldError(signUpPage.name, MESSAGES.nameInvisible);
    }
    expect(requests).toHaveLength(0);

    for (const name of names) {
      const response = await request.post('/api/auth/sign-up', { data: { ...newAccount(), name } });
      expect(response.status(), JSON.stringify(name)).toBe(400);
      expect((await response.json()).fieldErrors.name).toEqual([MESSAGES.nameInvisible]);
    }
  });
});
