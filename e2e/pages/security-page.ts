import { expect, type Locator, type Page } from '@playwright/test';

/** /account/security: the authenticator app, passkeys, recovery codes and remembered browsers. */
export class SecurityPage {
  readonly heading: Locator;
  readonly authenticatorApp: Locator;
  readonly passkeys: Locator;
  readonly recoveryCodes: Locator;
  readonly rememberedBrowsers: Locator;
  /** The codes shown once after they were generated. */
  readonly shownCodes: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { level: 1 });
    // Each <section aria-labelledby> is a region named by its heading.
    this.authenticatorApp = page.getByRole('region', { name: 'Authenticator app', exact: true });
    this.passkeys = page.getByRole('region', { name: 'Passkeys', exact: true });
    this.recoveryCodes = page.getByRole('region', { name: 'Recovery codes', exact: true });
    this.rememberedBrowsers = page.getByRole('region', { name: 'Remembered browsers', exact: true });
    this.shownCodes = page.getByRole('list', { name: 'Recovery codes', exact: true }).getByRole('listitem');
  }

  async goto(): Promise<void> {
    const response = await this.page.goto('/account/security');
    expect(response?.status()).toBe(200);
    await expect(this.heading).toHaveText('Two-step verification and passkeys');
  }

  /** Starts the authenticator app's setup and reads the setup key as a person would type it. */
  async startTotpSetup(): Promise<string> {
    await this.authenticatorApp.getByRole('button', { name: 'Set up an authenticator app' }).click();
    await expect(this.authenticatorApp.getByRole('img', { name: 'QR code to add Optare to your authenticator app' })).toBeVisible();
    const key = await this.page.locator('#totp-secret').textContent();
    const secret = (key ?? '').replace(/\s/g, '');
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    return secret;
  }

  async confirmTotp(code: string): Promise<void> {
    await this.authenticatorApp.getByLabel('Code from the app').fill(code);
    await this.authenticatorApp.getByRole('button', { name: 'Verify and turn on' }).click();
  }

  /** The recovery codes shown after an enrollment or regeneration. */
  async readShownCodes(): Promise<string[]> {
    await expect(this.shownCodes).toHaveCount(10);
    return (await this.shownCodes.allTextContents()).map((code) => code.trim());
  }

  async addPasskey(nickname: string): Promise<void> {
    await this.passkeys.getByLabel('Passkey name (optional)').fill(nickname);
    await this.passkeys.getByRole('button', { name: 'Add a passkey' }).click();
  }

  passkeyItems(): Locator {
    return this.passkeys.getByRole('list', { name: 'Your passkeys' }).getByRole('listitem');
  }

  status(section: Locator): Locator {
    return section.getByRole('status').first();
  }

  alert(section: Locator): Locator {
    return section.getByRole('alert').first();
  }
}
