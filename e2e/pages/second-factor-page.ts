import { expect, type Locator, type Page } from '@playwright/test';

/** /sign-in/second-factor: the second step of a sign-in or step-up. */
export class SecondFactorPage {
  readonly heading: Locator;
  readonly code: Locator;
  readonly recoveryCode: Locator;
  readonly verifyButton: Locator;
  readonly passkeyButton: Locator;
  readonly useRecoveryCode: Locator;
  readonly rememberBrowser: Locator;
  readonly alert: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { level: 1 });
    this.code = page.getByLabel('Authentication code');
    this.recoveryCode = page.getByLabel('Recovery code');
    this.verifyButton = page.getByRole('button', { name: 'Verify', exact: true });
    this.passkeyButton = page.getByRole('button', { name: 'Use your passkey' });
    this.useRecoveryCode = page.getByRole('button', { name: 'Use a recovery code' });
    this.rememberBrowser = page.getByRole('checkbox', { name: /^Remember this browser for 30 days/ });
    this.alert = page.locator('#second-factor-error');
  }

  async expectShown(): Promise<void> {
    await expect(this.page).toHaveURL(/\/sign-in\/second-factor(\?|$)/);
    await expect(this.heading).toHaveText('Two-step verification');
  }

  /** Submits a code and waits for the API's answer; returns its status. */
  async submitCode(code: string, field: Locator = this.code): Promise<number> {
    await field.fill(code);
    const [response] = await Promise.all([
      this.page.waitForResponse((r) => new URL(r.url()).pathname === '/api/auth/second-factor'),
      this.verifyButton.click(),
    ]);
    return response.status();
  }
}
