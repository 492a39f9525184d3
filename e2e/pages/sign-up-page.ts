import type { Locator, Page } from '@playwright/test';
import type { Account } from './fixtures';
import { FormPage } from './form-page';

export class SignUpPage extends FormPage {
  readonly path = '/sign-up';
  readonly name: Locator;
  readonly passwordHint: Locator;

  constructor(page: Page) {
    super(page, 'Create account');
    this.name = page.getByLabel('Display name', { exact: true });
    this.passwordHint = page.locator('#password-hint');
  }

  async fill(account: Partial<Account>): Promise<void> {
    if (account.email !== undefined) await this.email.fill(account.email);
    if (account.name !== undefined) await this.name.fill(account.name);
    if (account.password !== undefined) await this.password.fill(account.password);
  }

  /** Creates the account and waits for the full navigation home. */
  async signUp(account: Account): Promise<void> {
    await this.fill(account);
    await Promise.all([this.page.waitForURL('/'), this.submit()]);
  }

  async submitAndWaitForResponse(): Promise<number> {
    const [response] = await Promise.all([
      this.page.waitForResponse((r) => new URL(r.url()).pathname === '/api/auth/sign-up'),
      this.submit(),
    ]);
    return response.status();
  }
}
