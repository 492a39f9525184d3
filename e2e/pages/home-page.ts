import { expect, type Locator, type Page } from '@playwright/test';
import type { Account } from './fixtures';

export class HomePage {
  readonly signOutButton: Locator;
  readonly signInLink: Locator;
  readonly createAccountLink: Locator;
  readonly signedInAs: Locator;

  constructor(readonly page: Page) {
    this.signOutButton = page.getByRole('button', { name: 'Sign out' });
    this.signInLink = page.getByRole('link', { name: 'Sign in', exact: true });
    this.createAccountLink = page.getByRole('link', { name: 'Create an account' });
    this.signedInAs = page.getByText(/^Signed in as /);
  }

  async goto(): Promise<void> {
    const response = await this.page.goto('/');
    expect(response?.status()).toBe(200);
  }

  async expectSignedInAs(account: Pick<Account, 'name' | 'email'>): Promise<void> {
    await expect(this.page).toHaveURL('/');
    await expect(this.signedInAs).toHaveText(`Signed in as ${account.name} (${account.email})`);
    await expect(this.signOutButton).toBeVisible();
  }

  async expectSignedOut(): Promise<void> {
    await expect(this.signInLink).toBeVisible();
    await expect(this.createAccountLink).toBeVisible();
    await expect(this.signedInAs).toHaveCount(0);
    await expect(this.signOutButton).toHaveCount(0);
  }

  /** Submits the plain sign-out form; the server answers 303 to /sign-in?signed_out=1. */
  async signOut(): Promise<void> {
    await Promise.all([this.page.waitForURL('/sign-in?signed_out=1'), this.signOutButton.click()]);
  }
}
