import { expect, type Locator, type Page } from '@playwright/test';

/** /account/sessions: every signed-in browser of the user, this one marked. */
export class SessionsPage {
  readonly sessions: Locator;
  readonly thisDevice: Locator;
  readonly others: Locator;
  readonly status: Locator;
  readonly signOutOthersButton: Locator;

  constructor(readonly page: Page) {
    this.sessions = page.getByRole('list', { name: 'Sessions' }).getByRole('listitem');
    this.thisDevice = this.sessions.filter({ hasText: 'This device' });
    this.others = this.sessions.filter({ hasNotText: 'This device' });
    this.status = page.locator('#sessions-status');
    this.signOutOthersButton = page.getByRole('button', { name: 'Sign out all other sessions' });
  }

  async goto(): Promise<void> {
    const response = await this.page.goto('/account/sessions');
    expect(response?.status()).toBe(200);
    await expect(this.page.getByRole('heading', { level: 1 })).toHaveText('Where you are signed in');
  }

  /** Signs out the only other session through its own button. */
  async signOutOther(): Promise<void> {
    const button = this.others.getByRole('button', { name: /^Sign out/ });
    await expect(button).toBeEnabled();
    await button.click();
    await expect(this.status).toContainText('was signed out.');
  }
}

/** /account/password: the change-password form. */
export class PasswordPage {
  readonly currentPassword: Locator;
  readonly newPassword: Locator;
  readonly submitButton: Locator;
  readonly status: Locator;

  constructor(readonly page: Page) {
    this.currentPassword = page.getByLabel('Current password', { exact: true });
    this.newPassword = page.getByLabel('New password', { exact: true });
    this.submitButton = page.getByRole('button', { name: 'Change password' });
    this.status = page.locator('#password-status');
  }

  async goto(): Promise<void> {
    const response = await this.page.goto('/account/password');
    expect(response?.status()).toBe(200);
    await expect(this.submitButton).toBeEnabled();
  }

  async change(current: string, next: string): Promise<void> {
    await this.currentPassword.fill(current);
    await this.newPassword.fill(next);
    await this.submitButton.click();
  }
}

/** /account/apps: the apps the user allowed. */
export class ConnectedAppsPage {
  readonly apps: Locator;
  readonly status: Locator;

  constructor(readonly page: Page) {
    this.apps = page.getByRole('list', { name: 'Connected apps' }).locator(':scope > li');
    this.status = page.locator('#apps-status');
  }

  async goto(): Promise<void> {
    const response = await this.page.goto('/account/apps');
    expect(response?.status()).toBe(200);
    await expect(this.page.getByRole('heading', { level: 1 })).toHaveText('Connected apps');
  }

  app(name: string): Locator {
    return this.apps.filter({ has: this.page.getByText(name, { exact: true }) });
  }
}
