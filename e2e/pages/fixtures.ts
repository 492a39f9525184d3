import { randomBytes } from 'node:crypto';
import { test as base, expect, type APIRequestContext, type Page, type Request } from '@playwright/test';
import { PageGuard } from './guard';
import { HomePage } from './home-page';
import { SignInPage } from './sign-in-page';
import { SignUpPage } from './sign-up-page';

export interface Account {
  email: string;
  name: string;
  password: string;
}

/** A fresh account per test: the tests run in parallel against one server and one database. */
export function newAccount(overrides: Partial<Account> = {}): Account {
  const id = randomBytes(6).toString('hex');
  return {
    email: `e2e-${id}@example.test`,
    name: `Test User ${id}`,
    password: `plum orbit ${id} lantern`,
    ...overrides,
  };
}

/**
 * Records the requests a page sends to Optare's JSON API, except the WebAuthn options the sign-in
 * page asks for when it loads (for the email field's passkey autofill): that is no form submission.
 */
export function apiRequests(page: Page): Request[] {
  const seen: Request[] = [];
  page.on('request', (request) => {
    const { pathname } = new URL(request.url());
    if (pathname.startsWith('/api/') && pathname !== '/api/auth/passkey/options') seen.push(request);
  });
  return seen;
}

export const test = base.extend<{ guard: PageGuard; signUpPage: SignUpPage; signInPage: SignInPage; homePage: HomePage }>({
  // Every test that uses `page` fails on any CSP violation, console error or uncaught exception.
  guard: [
    async ({ page }, provide) => {
      const guard = new PageGuard(page);
      await guard.install();
      await provide(guard);
      // Violation reports travel asynchronously from the page; give the last ones time to land.
      if (!page.isClosed()) await page.waitForTimeout(150);
      expect.soft(guard.violations, 'CSP violations').toEqual([]);
      expect.soft(guard.consoleErrors, 'console errors').toEqual([]);
      expect.soft(guard.pageErrors, 'uncaught page errors').toEqual([]);
    },
    { auto: true },
  ],
  signUpPage: async ({ page }, provide) => provide(new SignUpPage(page)),
  signInPage: async ({ page }, provide) => provide(new SignInPage(page)),
  homePage: async ({ page }, provide) => provide(new HomePage(page)),
});

export { expect };

/** Creates an account through the JSON API, outside the browser under test (which stays signed out). */
export async function createAccount(request: APIRequestContext, account: Account): Promise<void> {
  const response = await request.post('/api/auth/sign-up', { data: account });
  expect(response.status(), await response.text()).toBe(201);
}

/** The messages the forms show, as the user reads them. */
export const MESSAGES = {
  invalidCredentials: 'Incorrect email or password.',
  network: 'Could not reach Optare. Check your connection and try again.',
  emailTaken: 'An account with this email already exists.',
  enterEmail: 'Enter your email address.',
  invalidEmail: 'Enter a valid email address, like name@example.com.',
  emailTooLong: 'An email address has at most 254 characters.',
  enterName: 'Enter your name.',
  nameTooLong: 'A name has at most 100 characters.',
  nameInvisible: 'The name contains invisible or control characters.',
  enterPassword: 'Enter your password.',
  passwordTooShort: 'Use at least 12 characters.',
  passwordTooLong: 'Use at most 128 characters.',
  signInPasswordTooLong: 'A password has at most 128 characters.',
  commonPassword: 'This password is too common; choose one that is harder to guess.',
  signedOut: 'You have been signed out.',
} as const;
