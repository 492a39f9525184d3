import fs from 'node:fs';
import type { Locator, Page } from '@playwright/test';
import { expect, test } from './pages/fixtures';
import { createConsoleAdmin, signInToConsole } from './support/admin-console';

/**
 * The audit log in the admin console: an administrator filters by event type and actor, opens
 * an event, downloads the filtered set as CSV (with the filtered rows only), and runs the hash
 * chain's integrity check.
 */

/** The console's audit log page: the filter form, the results table, the exports. */
class AuditLogPage {
  readonly filters: Locator;
  readonly results: Locator;

  constructor(readonly page: Page) {
    this.filters = page.getByRole('form', { name: 'Filter audit events' });
    this.results = page.getByRole('table', { name: 'Audit events, newest first' });
  }

  async goto(): Promise<void> {
    await this.page.goto('/admin/audit');
    await expect(this.page.getByRole('heading', { level: 1 })).toHaveText('Audit log');
  }

  async filter(values: { types: string[]; actor?: string }): Promise<void> {
    await this.filters.getByLabel('Event types').selectOption(values.types);
    if (values.actor) await this.filters.getByLabel('Actor').fill(values.actor);
    await Promise.all([
      this.page.waitForURL((url) => url.pathname === '/admin/audit' && url.searchParams.getAll('type').join() === values.types.join()),
      this.filters.getByRole('button', { name: 'Apply filters' }).click(),
    ]);
  }

  /** The data rows (the header row has no cells). */
  rows(): Locator {
    return this.results.getByRole('row').filter({ has: this.page.getByRole('cell') });
  }
}

/** RFC 4180 records of a CSV export (quoted fields may hold commas, quotes and line breaks). */
function csvRecords(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      record.push(field);
      field = '';
    } else if (char === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i++;
    } else field += char;
  }
  return records;
}

test('an administrator filters the audit log, opens an event and downloads the filtered set as CSV', async ({ page }, testInfo) => {
  const admin = createConsoleAdmin(testInfo);
  // Signing in the first time enrols an authenticator app: one mfa.totp_enrolled event by this admin.
  await signInToConsole(page, admin);

  const audit = new AuditLogPage(page);
  await audit.goto();
  await expect(audit.rows().first()).toBeVisible();

  await audit.filter({ types: ['mfa.totp_enrolled'], actor: admin.email });
  await expect(audit.rows()).toHaveCount(1);
  const row = audit.rows().first();
  await expect(row).toContainText('mfa.totp_enrolled');
  await expect(row).toContainText(admin.email);
  // The form shows the filters it applied.
  await expect(audit.filters.getByLabel('Actor')).toHaveValue(admin.email);

  // An invalid filter is explained, not run.
  await page.goto(`/admin/audit?from=yesterday`);
  await expect(page.getByText('Enter the start time as ISO 8601')).toBeVisible();
  await expect(audit.results).toHaveCount(0);
  await page.goBack();
  await expect(audit.rows()).toHaveCount(1);

  // The event, whole.
  const seq = (await row.getByRole('link').textContent())!.trim();
  await Promise.all([page.waitForURL(`/admin/audit/${seq}`), row.getByRole('link').click()]);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Audit event ${seq}`);
  const facts = page.getByRole('region', { name: 'Event', exact: true });
  await expect(facts.getByRole('definition').nth(2)).toHaveText('mfa.totp_enrolled');
  await expect(facts).toContainText(admin.id);
  await expect(page.getByRole('region', { name: 'Hash chain' }).getByRole('definition').nth(1)).toHaveText(/^[0-9a-f]{64}$/);
  await page.goBack();

  // The export carries the same filters: the header and exactly the filtered rows.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()]);
  expect(download.suggestedFilename()).toMatch(/^optare-audit-\d{8}T\d{6}Z\.csv$/);
  const records = csvRecords(fs.readFileSync((await download.path())!, 'utf8'));
  const [header, ...events] = records;
  expect(header).toEqual(['seq', 'created_at', 'type', 'outcome', 'actor_user_id', 'actor_api_key_id', 'subject', 'ip', 'user_agent', 'request_id', 'details', 'prev_hash', 'hash']);
  expect(events).toHaveLength(1);
  expect(events[0]!.slice(0, 5)).toEqual([seq, expect.any(String), 'mfa.totp_enrolled', 'success', admin.id]);

  // The export is itself recorded, by this administrator.
  await audit.filter({ types: ['audit.exported'], actor: admin.email });
  await expect(audit.rows()).toHaveCount(1);

  // The integrity check runs on demand.
  await page.getByRole('button', { name: 'Verify the hash chain' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Intact through seq' })).toBeVisible();
});
