import type { Cookie, Page } from '@playwright/test';
import { createAccount, expect, newAccount, test } from './pages/fixtures';

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

async function sessionCookie(page: Page): Promise<Cookie | undefined> {
  return (await page.context().cookies()).find((cookie) => cookie.name === 'optare_session');
}

test.describe('session cookie', () => {
  test('on http://localhost the session cookie is optare_session: HttpOnly, SameSite=Lax, Path=/, not Secure', async ({
    page,
    signUpPage,
    homePage,
  }) => {
    const account = newAccount();
    await signUpPage.goto();
    await signUpPage.fill(account);
    const [response] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === '/api/auth/sign-up'),
      page.waitForURL('/'),
      signUpPage.submit(),
    ]);
    await homePage.expectSignedInAs(account);

    // What the server sent…
    const setCookie = (await response.headerValue('set-cookie')) ?? '';
    expect(setCookie).toMatch(/^optare_session=[A-Za-z0-9_-]{43};/);
    expect(setCookie).toMatch(/;\s*HttpOnly/i);
    expect(setCookie).toMatch(/;\s*SameSite=Lax/i);
    expect(setCookie).toMatch(/;\s*Path=\/(;|$)/i);
    expect(setCookie).not.toMatch(/;\s*Secure/i);
    expect(setCookie).not.toMatch(/;\s*Domain=/i);

    // …and what the browser stored.
    const cookies = await page.context().cookies();
    const session = cookies.find((cookie) => cookie.name === 'optare_session');
    expect(session).toBeDefined();
    expect(session!.value).toMatch(TOKEN);
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/', secure: false, domain: 'localhost' });
    expect(cookies.map((cookie) => cookie.name)).not.toContain('__Host-optare_session');

    // The token lives in that cookie only: not in another cookie, not readable by scripts,
    // not in web storage.
    const token = session!.value;
    for (const other of cookies.filter((cookie) => cookie !== session)) {
      expect(other.value).not.toContain(token);
    }
    const visibleToScripts = await page.evaluate(() => ({
      cookie: document.cookie,
      storage: JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }),
    }));
    expect(visibleToScripts.cookie).not.toContain(token);
    expect(visibleToScripts.cookie).not.toContain('optare_session');
    expect(visibleToScripts.storage).not.toContain(token);
  });

  test('each sign-in gets a new token, and sign-out deletes the cookie and ends the session on the server', async ({
    page,
    browser,
    baseURL,
    request,
    signInPage,
    homePage,
  }) => {
    const account = newAccount();
    await createAccount(request, account);

    await signInPage.goto();
    await signInPage.signIn(account);
    const first = (await sessionCookie(page))?.value;
    expect(first).toMatch(TOKEN);

    // Signing in again while signed in replaces the session (no session fixation).
    await signInPage.goto();
    await signInPage.signIn(account);
    const second = (await sessionCookie(page))?.value;
    expect(second).toMatch(TOKEN);
    expect(second).not.toBe(first);

    await homePage.signOut();
    expect(await sessionCookie(page)).toBeUndefined();

    // Replaying either old token in a fresh browser does not sign anyone in.
    for (const token of [first!, second!]) {
      const context = await browser.newContext({ baseURL });
      try {
        await context.addCookies([{ name: 'optare_session', value: token, domain: 'localhost', path: '/', httpOnly: true, sameSite: 'Lax' }]);
        const other = await context.newPage();
        await other.goto('/');
        await expect(other.getByText(/^Signed in as /)).toHaveCount(0);
        await expect(other.getByRole('link', { name: 'Sign in', exact: true })).toBeVisible();
      } finally {
        await context.close();
      }
    }
  });
});
