import { randomBytes } from 'node:crypto';
import type { APIRequestContext, Locator, Page } from '@playwright/test';
import { expect, test } from './pages/fixtures';
import { createConsoleAdmin, signInToConsole } from './support/admin-console';

/**
 * API keys in the admin console: an administrator creates a key with one scope, copies it from
 * the page (shown once), and automation uses it against the admin API: allowed within its
 * scope, refused outside it, refused altogether once revoked. Rotating gives a new key while
 * the old one keeps working for the overlap period.
 */

/** The console's API keys page: the create form, the key shown once, the list and its actions. */
class ApiKeysPage {
  readonly form: Locator;
  readonly revealed: Locator;
  readonly table: Locator;

  constructor(readonly page: Page) {
    this.form = page.getByRole('form', { name: 'Create an API key' });
    this.revealed = page.getByRole('group').filter({ hasText: 'Copy the new key' });
    this.table = page.getByRole('table', { name: 'API keys, newest first' });
  }

  async goto(): Promise<void> {
    await this.page.goto('/admin/api-keys');
    await expect(this.page.getByRole('heading', { level: 1 })).toHaveText('API keys');
  }

  /** Fills in and submits the form; returns the key's prefix as the page shows it. */
  async create(name: string, scopes: string[]): Promise<void> {
    await this.form.getByLabel('Name').fill(name);
    for (const scope of scopes) await this.form.getByRole('checkbox', { name: scope, exact: true }).check();
    await Promise.all([
      this.page.waitForResponse((response) => new URL(response.url()).pathname === '/api/admin/console/api-keys' && response.status() === 201),
      this.form.getByRole('button', { name: 'Create API key' }).click(),
    ]);
    await expect(this.revealed).toBeVisible();
  }

  /** Copies the revealed key with its Copy button and returns what landed on the clipboard. */
  async copyRevealedKey(): Promise<string> {
    await this.revealed.getByRole('button', { name: /^Copy/ }).click();
    await expect(this.revealed.getByRole('status')).toHaveText('API key copied.');
    const copied = await this.page.evaluate(() => navigator.clipboard.readText());
    await expect(this.revealed.getByRole('textbox')).toHaveValue(copied);
    return copied;
  }

  row(prefix: string): Locator {
    return this.table.getByRole('row').filter({ hasText: prefix });
  }

  /** Clicks a row's action, then its confirmation, and waits for the console's answer. */
  async confirm(prefix: string, action: 'Rotate' | 'Revoke'): Promise<void> {
    await this.row(prefix).getByRole('button', { name: new RegExp(`^${action} `) }).click();
    const question = this.page.getByRole('group').filter({ hasText: `${action} “` });
    await expect(question).toContainText(prefix);
    await Promise.all([
      this.page.waitForResponse((response) => new URL(response.url()).pathname === `/api/admin/console/api-keys/${action.toLowerCase()}` && response.ok()),
      question.getByRole('button', { name: `${action} key` }).click(),
    ]);
  }
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

async function listClients(request: APIRequestContext, key: string) {
  return request.get('/api/admin/v1/clients', { headers: bearer(key) });
}

test.describe('admin console: API keys', () => {
  test.beforeEach(async ({ context, baseURL }) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(baseURL!).origin });
  });

  test('a key with clients:read, copied from the page, reads clients but cannot create one; once revoked it gets 401', async ({ page, request }, testInfo) => {
    const admin = createConsoleAdmin(testInfo);
    await signInToConsole(page, admin);
    const keys = new ApiKeysPage(page);
    await keys.goto();

    const name = `e2e reader ${randomBytes(3).toString('hex')}`;
    await keys.create(name, ['clients:read']);
    const key = await keys.copyRevealedKey();
    expect(key).toMatch(/^opk_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);
    const prefix = key.slice(0, 12);
    await expect(keys.revealed).toContainText(prefix);
    const row = keys.row(prefix);
    await expect(row.getByRole('rowheader')).toContainText(name);
    await expect(row).toContainText('clients:read');
    await expect(row).toContainText('Active');
    await expect(row).toContainText('Never');

    const read = await listClients(request, key);
    expect(read.status(), await read.text()).toBe(200);
    expect(Array.isArray((await read.json()).items)).toBe(true);

    const write = await request.post('/api/admin/v1/clients', {
      headers: bearer(key),
      data: { name: 'not allowed', type: 'confidential', redirectUris: ['https://app.example.test/callback'] },
    });
    expect(write.status(), await write.text()).toBe(403);
    expect(await write.json()).toMatchObject({ error: 'insufficient_scope' });
    expect(write.headers()['www-authenticate']).toContain('error="insufficient_scope"');

    // The page shows the use once it is reloaded; the key itself is gone from it.
    await keys.goto();
    await expect(keys.revealed).toHaveCount(0);
    await expect(page.getByText(key.slice(13))).toHaveCount(0);
    await expect(keys.row(prefix)).not.toContainText('Never');
    await expect(keys.row(prefix)).toContainText('from ');

    await keys.confirm(prefix, 'Revoke');
    await expect(page.getByRole('status').filter({ hasText: 'was revoked' })).toContainText(name);
    await expect(keys.row(prefix)).toContainText('Revoked');
    await expect(keys.row(prefix).getByRole('button')).toHaveCount(0);

    const refused = await listClients(request, key);
    expect(refused.status()).toBe(401);
    expect(refused.headers()['www-authenticate']).toBe('Bearer realm="optare-admin", error="invalid_token"');
  });

  test('rotating shows the new key once and says until when the old one works; both work meanwhile', async ({ page, request }, testInfo) => {
    const admin = createConsoleAdmin(testInfo);
    await signInToConsole(page, admin);
    const keys = new ApiKeysPage(page);
    await keys.goto();

    await keys.create(`e2e rotation ${randomBytes(3).toString('hex')}`, ['clients:read', 'audit:read']);
    const oldKey = await keys.copyRevealedKey();
    await keys.revealed.getByRole('button', { name: 'I have saved it' }).click();
    await expect(keys.revealed).toHaveCount(0);

    await keys.confirm(oldKey.slice(0, 12), 'Rotate');
    await expect(keys.revealed).toContainText('The old key keeps working until');
    const newKey = await keys.copyRevealedKey();
    expect(newKey).not.toBe(oldKey);
    await expect(keys.row(oldKey.slice(0, 12))).toContainText('Rotated, still working');
    await expect(keys.row(newKey.slice(0, 12))).toContainText('Active');

    expect((await listClients(request, oldKey)).status()).toBe(200);
    expect((await listClients(request, newKey)).status()).toBe(200);
  });

  test('the form puts the shared schema’s messages next to the fields', async ({ page }, testInfo) => {
    const admin = createConsoleAdmin(testInfo);
    await signInToConsole(page, admin);
    const keys = new ApiKeysPage(page);
    await keys.goto();
    await keys.form.getByRole('button', { name: 'Create API key' }).click();
    await expect(keys.form.getByLabel('Name')).toHaveAttribute('aria-invalid', 'true');
    await expect(keys.form).toContainText('Enter a name for the key.');
    await expect(keys.form).toContainText('Choose at least one scope.');
    await expect(keys.revealed).toHaveCount(0);
  });
});
