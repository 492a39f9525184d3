import type { Locator, Page } from '@playwright/test';
import { expect, test } from './pages/fixtures';
import { createConsoleAdmin, signInToConsole } from './support/admin-console';

/**
 * The admin console's dashboard, settings and signing keys pages in a real browser, each under
 * the page guard (no CSP violation, console error or uncaught exception): the dashboard's SVG
 * charts render with their text alternatives, a settings change is saved and shown, and
 * "Rotate now" puts a new signing key in use.
 */

/** The settings page: one form; each setting shows where its value comes from. */
class SettingsPage {
  readonly form: Locator;
  readonly status: Locator;

  constructor(readonly page: Page) {
    this.form = page.getByRole('form', { name: 'Runtime settings' });
    this.status = page.locator('#settings-status');
  }

  async goto(): Promise<void> {
    await this.page.goto('/admin/settings');
    await expect(this.page.getByRole('heading', { level: 1 })).toHaveText('Settings');
  }

  field(label: string): Locator {
    return this.form.getByLabel(label, { exact: true });
  }

  /** The "Default" / "Set here" line of the setting whose input has this id. */
  source(inputId: string): Locator {
    return this.page.locator(`#${inputId}-hint [data-setting-source]`);
  }

  async save(): Promise<void> {
    await Promise.all([
      this.page.waitForResponse((response) => new URL(response.url()).pathname === '/api/admin/console/settings' && response.ok()),
      this.form.getByRole('button', { name: 'Save settings' }).click(),
    ]);
  }
}

test.describe('admin dashboard, settings and signing keys', () => {
  test('the dashboard renders its charts server-side, with their numbers, and no CSP violation', async ({ page }, testInfo) => {
    const admin = createConsoleAdmin(testInfo);
    await signInToConsole(page, admin);
    await page.goto('/admin');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Dashboard');

    const signIns = page.getByRole('img', { name: 'Sign-ins per day, last 30 days' });
    await expect(signIns).toBeVisible();
    // The administrator just signed in: today's column has at least that successful sign-in.
    const today = signIns.locator('g[data-day]').last();
    await expect(today.locator('rect[data-series="0"]')).toHaveCount(1);
    expect(Number(await today.getAttribute('data-total'))).toBeGreaterThanOrEqual(1);
    await expect(page.getByRole('img', { name: 'Users with a second factor' })).toBeVisible();
    await expect(page.getByRole('img', { name: 'Active sessions by the day they started, last 30 days' })).toBeVisible();
    await expect(page.locator('[data-figure="active-sessions"]')).not.toHaveText('0');
    await expect(page.getByRole('heading', { name: 'Tokens issued per client' })).toBeVisible();

    // The same numbers as a table, for whoever cannot see the bars.
    const signInsPanel = page.getByRole('region', { name: 'Sign-ins per day' });
    await signInsPanel.getByText('Show the numbers').click();
    await expect(signInsPanel.getByRole('table', { name: 'Sign-ins per day, last 30 days' }).getByRole('row')).toHaveCount(31);

    // The security check ran (this development server uses a generated encryption key and plain HTTP).
    const check = page.getByRole('region', { name: 'Security check' });
    await expect(check.locator('[data-warning="development_encryption_key"]')).toBeVisible();
    await expect(check.locator('[data-warning="issuer_not_https"]')).toBeVisible();
  });

  test('a settings change is saved, shown with where it comes from, and given back to the default', async ({ page }, testInfo) => {
    const admin = createConsoleAdmin(testInfo);
    await signInToConsole(page, admin);
    const settings = new SettingsPage(page);
    await settings.goto();

    // Harmless for the tests running alongside: longer idle sessions, a long audit retention.
    const idle = settings.field('Session idle timeout');
    const retention = settings.field('Audit log retention (days)');
    await expect(settings.source('setting-audit-retention')).toHaveAttribute('data-setting-source', 'default');

    await idle.fill('2 weeks');
    await settings.form.getByRole('button', { name: 'Save settings' }).click();
    await expect(settings.form.getByText('Enter a duration such as 30m, 8h or 7d.')).toBeVisible();
    await expect(idle).toHaveAttribute('aria-invalid', 'true');

    await idle.fill('12h');
    await retention.fill('3650');
    await settings.save();
    await expect(settings.status).toHaveText(/^Saved\. Session idle timeout: .+ → 12 hours; Audit log retention \(days\): Forever → 3650 days\.$/);
    await expect(settings.source('setting-session-idle')).toHaveAttribute('data-setting-source', 'console');

    // Saved for real: a fresh page load shows the values set here.
    await page.reload();
    await expect(idle).toHaveValue('12h');
    await expect(retention).toHaveValue('3650');
    await expect(settings.source('setting-audit-retention')).toHaveAttribute('data-setting-source', 'console');

    // Back to the defaults (leaving the server as it was for the other tests).
    for (const id of ['setting-session-idle', 'setting-audit-retention']) {
      await Promise.all([
        page.waitForResponse((response) => new URL(response.url()).pathname === '/api/admin/console/settings' && response.ok()),
        settings.source(id).getByRole('button', { name: 'Use the default' }).click(),
      ]);
      await expect(settings.source(id)).toHaveAttribute('data-setting-source', 'default');
    }
    await expect(retention).toHaveValue('0');
    await expect(settings.status).toHaveText('Saved. Audit log retention (days): 3650 days → Forever.');
  });

  test('"Rotate now" puts a new signing key in use and keeps the old one published', async ({ page, request }, testInfo) => {
    const admin = createConsoleAdmin(testInfo);
    await signInToConsole(page, admin);
    await page.goto('/admin/keys');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Signing keys');
    const table = page.getByRole('table', { name: 'Signing keys, newest first' });
    // RS256's group: other specs may have made keys of other algorithms on this server.
    const rs256 = table.locator('tbody[data-alg="RS256"]');
    const activeRow = rs256.locator('tr[data-status="active"]');
    await expect(activeRow).toHaveCount(1);
    const before = await activeRow.getAttribute('data-kid');

    const algorithm = page.getByLabel('Algorithm', { exact: true });
    if (await algorithm.isVisible()) await algorithm.selectOption('RS256');
    await page.getByRole('button', { name: 'Rotate now' }).click();
    const question = page.getByRole('group', { name: /^Rotate the signing key now\?/ });
    await expect(question).toBeVisible();
    await Promise.all([
      page.waitForResponse((response) => new URL(response.url()).pathname === '/api/admin/console/keys/rotate' && response.ok()),
      question.getByRole('button', { name: 'Rotate now' }).click(),
    ]);
    await expect(page.locator('#rotate-status')).toHaveText(/^Key \S+ now signs every new (RS256 )?token\.$/);
    const after = ((await page.locator('#rotate-status').textContent()) ?? '').split(' ')[1];

    await expect(rs256.locator('tr[data-status="active"]')).toHaveAttribute('data-kid', after!);
    expect(after).not.toBe(before);
    await expect(table.locator(`tr[data-kid="${before}"]`)).toHaveAttribute('data-status', 'retiring');
    const jwks = (await (await request.get('/oauth/jwks')).json()) as { keys: Array<{ kid: string }> };
    expect(jwks.keys.map((key) => key.kid)).toEqual(expect.arrayContaining([after, before]));
  });
});
