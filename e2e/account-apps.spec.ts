import { createHash, randomBytes } from 'node:crypto';
import { createAccount, expect, newAccount, test } from './pages/fixtures';
import { ConnectedAppsPage } from './pages/account-pages';
import { optareCli } from './support/optare-cli';
import { startLandingPage, type LandingPage } from './support/landing-page';

/**
 * Connected apps: after the user approves an app on the consent page, /account/apps lists it with
 * what it may do; unchecking a permission takes it back (the app must ask again for it);
 * disconnecting it removes it, and the app must ask for consent again.
 */

let landing: LandingPage;
let redirectUri = '';
test.beforeAll(async () => {
  landing = await startLandingPage();
  redirectUri = landing.redirectUri;
});
test.afterAll(() => landing.close());

function authorizationUrl(clientId: string, scope = 'openid profile email'): string {
  const params = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: redirectUri,
    scope,
    state: randomBytes(12).toString('base64url'),
    nonce: randomBytes(12).toString('base64url'),
    code_challenge: createHash('sha256').update(randomBytes(32).toString('base64url')).digest('base64url'),
    code_challenge_method: 'S256',
  });
  return `/oauth/authorize?${params.toString()}`;
}

test('an approved app is listed with its permissions, and disconnecting it makes it ask again', async ({ page, request, signInPage }, testInfo) => {
  const appName = `E2E Notes ${randomBytes(3).toString('hex')}`;
  const created = optareCli(testInfo, ['client', 'create', '--name', appName, '--redirect-uri', redirectUri, '--scope', 'openid profile email']);
  const clientId = created.clientId as string;
  const account = newAccount();
  await createAccount(request, account);

  await page.goto(authorizationUrl(clientId));
  await expect(page).toHaveURL(/\/sign-in\?request=/);
  await signInPage.fill(account);
  await Promise.all([page.waitForURL(/\/consent\?/), signInPage.submit()]);
  await Promise.all([page.waitForURL(`${redirectUri}?**`), page.getByRole('button', { name: 'Approve' }).click()]);

  const apps = new ConnectedAppsPage(page);
  await apps.goto();
  const app = apps.app(appName);
  await expect(app).toHaveCount(1);
  await expect(app.getByRole('list', { name: `What ${appName} can do` }).getByRole('listitem')).toHaveText([
    'Know who you are (your account identifier)',
    'See your name',
    'See your email address',
  ]);

  const disconnect = app.getByRole('button', { name: `Disconnect ${appName}` });
  await expect(disconnect).toBeEnabled();
  await disconnect.click();
  await expect(apps.status).toHaveText(`${appName} was disconnected. It can no longer access your account.`);
  await expect(apps.app(appName)).toHaveCount(0);
  await expect(page.getByText('No app has access to your account.')).toBeVisible();

  // The consent is gone: the app's next request shows the consent page again.
  await page.goto(authorizationUrl(clientId));
  await expect(page).toHaveURL(/\/consent\?request=/);
});

test('unchecking a permission takes it back: the app keeps the rest and must ask again for it', async ({ page, request, signInPage }, testInfo) => {
  const appName = `E2E Photos ${randomBytes(3).toString('hex')}`;
  const created = optareCli(testInfo, ['client', 'create', '--name', appName, '--redirect-uri', redirectUri, '--scope', 'openid profile email']);
  const clientId = created.clientId as string;
  const account = newAccount();
  await createAccount(request, account);

  await page.goto(authorizationUrl(clientId));
  await signInPage.fill(account);
  await Promise.all([page.waitForURL(/\/consent\?/), signInPage.submit()]);
  await Promise.all([page.waitForURL(`${redirectUri}?**`), page.getByRole('button', { name: 'Approve' }).click()]);

  const apps = new ConnectedAppsPage(page);
  await apps.goto();
  const app = apps.app(appName);
  const permissions = app.getByRole('group', { name: appName });
  const save = app.getByRole('button', { name: `Remove unchecked permissions from ${appName}` });
  await expect(permissions.getByRole('checkbox')).toHaveCount(3);
  await expect(permissions.getByRole('checkbox', { name: 'See your email address' })).toBeChecked();
  await expect(save).toBeDisabled();

  // Unchecking "who you are" would disconnect the app: the page says so before anything is sent.
  const identity = permissions.getByRole('checkbox', { name: 'Know who you are (your account identifier)' });
  await identity.uncheck();
  await expect(app.getByText(`Saving disconnects ${appName}`)).toBeVisible();
  await identity.check();
  await expect(app.getByText(`Saving disconnects ${appName}`)).toHaveCount(0);

  await permissions.getByRole('checkbox', { name: 'See your email address' }).uncheck();
  await expect(save).toBeEnabled();
  await save.click();
  await expect(apps.status).toHaveText(`${appName} can no longer do what you unchecked. It must ask you again to get it back.`);
  await expect(app.getByRole('list', { name: `What ${appName} can do` }).getByRole('listitem')).toHaveText([
    'Know who you are (your account identifier)',
    'See your name',
  ]);
  await expect(save).toBeDisabled();

  // Asking for what was taken back shows the consent page again; what was kept does not.
  await page.goto(authorizationUrl(clientId));
  await expect(page).toHaveURL(/\/consent\?request=/);
  await Promise.all([page.waitForURL(`${redirectUri}?**`), page.goto(authorizationUrl(clientId, 'openid profile'))]);
  expect(new URL(page.url()).searchParams.get('code')).toBeTruthy();
});
