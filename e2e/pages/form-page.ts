import { expect, type Locator, type Page } from '@playwright/test';

/** What the sign-in and sign-up pages share: labelled fields, a submit button, a form alert. */
export abstract class FormPage {
  abstract readonly path: string;
  readonly email: Locator;
  readonly password: Locator;
  readonly submitButton: Locator;
  /** The form-level error region (role="alert"), e.g. "Incorrect email or password." */
  readonly formAlert: Locator;
  private readonly submitLabel: string;

  constructor(
    readonly page: Page,
    submitLabel: string,
  ) {
    // By label: these lookups fail if a <label for> is missing or points at another element.
    this.email = page.getByLabel('Email', { exact: true });
    this.password = page.getByLabel('Password', { exact: true });
    this.submitButton = page.locator('form button[type="submit"]');
    // By CSS, not getByRole: the empty region has no box, and getByRole skips what is not rendered.
    this.formAlert = page.locator('form [role="alert"]');
    this.submitLabel = submitLabel;
  }

  /** Opens the page and waits until the form is interactive (the submit button is enabled once hydrated). */
  async goto(query = ''): Promise<void> {
    const response = await this.page.goto(`${this.path}${query}`);
    expect(response?.status()).toBe(200);
    await expect(this.submitButton).toHaveText(this.submitLabel);
    await expect(this.submitButton).toBeEnabled();
  }

  async submit(): Promise<void> {
    await this.submitButton.click();
  }

  /** The error paragraph that belongs to an input. */
  async errorOf(input: Locator): Promise<Locator> {
    const id = await input.getAttribute('id');
    return this.page.locator(`[id="${id}-error"]`);
  }

  /**
   * Asserts an input is marked invalid, shows `message` next to it, and announces it: the
   * message is part of the input's accessible description (aria-describedby).
   */
  async expectFieldError(input: Locator, message: string): Promise<void> {
    await expect(input).toHaveAttribute('aria-invalid', 'true');
    await expect(await this.errorOf(input)).toHaveText(message);
    await expect(await this.errorOf(input)).toBeVisible();
    await expect(input).toHaveAccessibleDescription(new RegExp(`^${escapeRegExp(message)}`));
  }

  async expectNoFieldError(input: Locator): Promise<void> {
    await expect(input).not.toHaveAttribute('aria-invalid', 'true');
    await expect(await this.errorOf(input)).toHaveCount(0);
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
