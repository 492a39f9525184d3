import { expect, type Locator, type Page } from '@playwright/test';
import { FormPage } from './form-page';

export class SignInPage extends FormPage {
  readonly path = '/sign-in';
  readonly signedOutNotice: Locator;
  readonly createAccountLink: Locator;

  constructor(page: Page) {
    super(page, 'Sign in');
    this.signedOutNotice = page.getByRole('status').filter({ hasText: 'You have been signed out.' });
    this.createAccountLink = page.getByRole('link', { name: 'Create an account' });
  }

  async fill(credentials: { email: string; password: string }): Promise<void> {
    await this.email.fill(credentials.email);
    await this.password.fill(credentials.password);
  }

  /** Signs in and waits for the full navigation to the page the server names (home). */
  async signIn(credentials: { email: string; password: string }): Promise<void> {
    await this.fill(credentials);
    await Promise.all([this.page.waitForURL('/'), this.submit()]);
  }

  /** Submits and waits for the API's answer. */
  async submitAndWaitForResponse(): Promise<number> {
    const [response] = await Promise.all([
      this.page.waitForResponse((r) => new URL(r.url()).pathname === '/api/auth/sign-in'),
      this.submit(),
    ]);
    return response.status();
  }

  async expectStillHere(): Promise<void> {
    await expect(this.page).toHaveURL(/\/sign-in(\?|$)/);
  }
}
