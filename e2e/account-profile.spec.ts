import { createAccount, expect, newAccount, test } from './pages/fixtures';

/** The profile and the security activity: a name change is saved, announced, and listed as activity in words. */
test('edit the name on /account and find the change and the sign-in under Activity', async ({ page, request, signInPage }) => {
  const account = newAccount();
  await createAccount(request, account);
  await signInPage.goto();
  await signInPage.signIn(account);

  await page.goto('/account');
  await expect(page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Profile' })).toHaveAttribute('aria-current', 'page');
  // The address also appears in the delete-account section further down.
  await expect(page.getByRole('region', { name: 'Profile' }).getByText(account.email)).toBeVisible();
  const name = page.getByLabel('Name', { exact: true });
  await expect(name).toHaveValue(account.name);
  const save = page.getByRole('button', { name: 'Save name' });
  await expect(save).toBeEnabled();

  await name.fill('   ');
  await save.click();
  await expect(page.getByText('Enter your name.')).toBeVisible();
  await expect(name).toHaveAttribute('aria-invalid', 'true');

  await name.fill('Ada Renamed');
  await save.click();
  await expect(page.getByRole('status').filter({ hasText: 'Your name was saved.' })).toBeVisible();
  await page.reload();
  await expect(page.getByLabel('Name', { exact: true })).toHaveValue('Ada Renamed');

  await page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Activity' }).click();
  await expect(page).toHaveURL(/\/account\/activity$/);
  const items = page.getByRole('list', { name: 'Security activity' }).getByRole('listitem');
  await expect(items.first()).toContainText('Name changed');
  await expect(items.filter({ hasText: 'Signed in' }).first()).toContainText('Chrome on Linux');
  await expect(items.last()).toContainText('Account created');
});
