import { createHash, randomBytes } from 'node:crypto';
import type { Page } from '@playwright/test';
import { expect, newAccount, test } from './pages/fixtures';
import { optareCli } from './support/optare-cli';

/**
 * ASVS 14.3.3: Optare keeps nothing in the browser's script-readable storage. The pages a user
 * walks through (sign-up, sign-in, the account pages, an authorization request and its consent)
 * leave localStorage, sessionStorage, IndexedDB and the Cache API empty on Optare's origin.
 */

/** Everything a script on the page could read back from web storage. */
async function webStorage(page: Page) {
  return page.evaluate(async () => ({
    localStorage: Object.keys(localStorage),
    sessionStorage: Object.keys(sessionStorage),
    indexedDB: (await indexedDB.databases()).map((database) => database.name),
    cacheStorage: await caches.keys(),
  }));
}

const EMPTY = { localStorage: [], sessionStorage: [], indexedDB: [], cacheStorage: [] };

/** A redirect URI nothing listens on: the browser's arrival there is answered by the test itself. */
const RELYING_PARTY = 'http://127.0.0.1:9';

test.describe('browser storage', () => {
  test('sign-up, sign-in, the account pages and consent leave web storage empty', async ({ page, signUpPage, signInPage, homePage }, testInfo) => {
    const account = newAccount();
    await signUpPage.goto();
    expect(await webStorage(page), '/sign-up').toEqual(EMPTY);
    await signUpPage.signUp(account);
    expect(await webStorage(page), 'home, signed in').toEqual(EMPTY);

    for (const path of ['/account', '/account/security', '/account/sessions', '/account/apps', '/account/activity', '/account/password']) {
      const response = await page.goto(path);
      expect(response?.status(), path).toBe(200);
      expect(await webStorage(page), path).toEqual(EMPTY);
    }

    await homePage.goto();
    await homePage.signOut();
    await signInPage.goto();
    await signInPage.signIn(account);
    expect(await webStorage(page), 'after sign-in').toEqual(EMPTY);

    const { clientId } = optareCli(testInfo, [
      'client', 'create',
      '--name', `Storage App ${randomBytes(3).toString('hex')}`,
      '--redirect-uri', `${RELYING_PARTY}/callback`,
      '--scope', 'openid profile email',
    ]) as { clientId: string };
    await page.route(`${RELYING_PARTY}/**`, (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>Relying party</title>' }));
    const params = new URLSearchParams({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: `${RELYING_PARTY}/callback`,
      scope: 'openid profile email',
      state: randomBytes(12).toString('base64url'),
      code_challenge: createHash('sha256').update(randomBytes(32).toString('base64url')).digest('base64url'),
      code_challenge_method: 'S256',
    });
    await page.goto(`/oauth/authorize?${params.toString()}`);
    await expect(page).toHaveURL(/\/consent\?request=/);
    expect(await webStorage(page), '/consent').toEqual(EMPTY);
    await Promise.all([page.waitForURL(`${RELYING_PARTY}/callback?**`), page.getByRole('button', { name: 'Approve' }).click()]);

    // Playwright's own view of the whole context, every origin, IndexedDB included.
    const state = await page.context().storageState({ indexedDB: true });
    const optare = state.origins.filter((origin) => new URL(origin.origin).hostname === 'localhost');
    // storageState's type does not declare the indexedDB it returns when asked for it.
    expect(optare.flatMap((origin) => [...origin.localStorage, ...((origin as { indexedDB?: unknown[] }).indexedDB ?? [])])).toEqual([]);
    // Only cookies hold state, and Optare's are HttpOnly.
    for (const cookie of state.cookies.filter((cookie) => cookie.domain === 'localhost')) expect(cookie.httpOnly, cookie.name).toBe(true);
  });
});
