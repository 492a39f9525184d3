import fs from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { createAccount, expect, MESSAGES, newAccount, test } from './pages/fixtures';
import { ageSessions } from './support/database';
import { optareCli } from './support/optare-cli';
import { startLandingPage, type LandingPage } from './support/landing-page';

/**
 * Privacy self-service in a real browser: the user downloads their data from the account page
 * (a JSON file), then deletes their account, going through “Confirm it’s you” because their
 * sign-in is older than 10 minutes. Afterwards they cannot sign in, and the refresh token an app
 * holds for them is dead (the app's side at the HTTP level).
 */

let landing: LandingPage;
let redirectUri = '';
test.beforeAll(async () => {
  landing = await startLandingPage();
  redirectUri = landing.redirectUri;
});
test.afterAll(() => landing.close());

test('a user downloads their data, then deletes their account after confirming it is them; the app’s refresh token dies', async ({ page, request, signInPage, guard, baseURL }, testInfo) => {
  test.setTimeout(120_000);
  // The stale session's first try (403, then “Confirm it’s you”) and the deleted account's sign-in (401).
  guard.expectConsoleError({ path: '/api/account/delete', text: 'status of 403' });
  guard.expectConsoleError({ path: '/api/auth/sign-in', text: 'status of 401' });
  const appName = `E2E Diary ${randomBytes(3).toString('hex')}`;
  const created = optareCli(testInfo, [
    'client', 'create', '--name', appName, '--redirect-uri', redirectUri,
    '--grant', 'authorization_code', '--grant', 'refresh_token',
    '--scope', 'openid', '--scope', 'email', '--scope', 'offline_access', '--public',
  ]);
  // A public client (PKCE, no secret): the refresh token alone is what the app holds.
  const clientCredentials = { client_id: String(created.clientId) };
  const account = newAccount();
  await createAccount(request, account);

  // The app signs the user in and keeps a refresh token.
  const verifier = randomBytes(32).toString('base64url');
  const authorize = new URLSearchParams({
    response_type: 'code',
    client_id: String(created.clientId),
    redirect_uri: redirectUri,
    scope: 'openid email offline_access',
    state: randomBytes(12).toString('base64url'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  });
  await page.goto(`/oauth/authorize?${authorize.toString()}`);
  await signInPage.fill(account);
  await Promise.all([page.waitForURL(/\/consent\?/), signInPage.submit()]);
  await Promise.all([page.waitForURL(`${redirectUri}?**`), page.getByRole('button', { name: 'Approve' }).click()]);
  const code = new URL(page.url()).searchParams.get('code')!;
  const tokenRequest = (params: Record<string, string>) =>
    fetch(`${baseURL}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ ...clientCredentials, ...params }) });
  const exchanged = await tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier });
  const issued = (await exchanged.json()) as { refresh_token: string };
  expect(issued.refresh_token, JSON.stringify(issued)).toBeTruthy();

  // "Download my data": a JSON file with the profile, this session and the connected app, no secret.
  await page.goto('/account');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download my data' }).click()]);
  expect(download.suggestedFilename()).toMatch(/^optare-export-\d{4}-\d{2}-\d{2}\.json$/);
  const text = fs.readFileSync(await download.path(), 'utf8');
  const data = JSON.parse(text);
  expect(data.profile).toMatchObject({ email: account.email, name: account.name });
  // This browser's session, marked current (signing up through the API started another).
  expect(data.sessions.filter((session: { current: boolean }) => session.current)).toEqual([expect.objectContaining({ browser: 'Chrome', ip: expect.stringMatching(/^(127\.0\.0\.1|::1)$/) })]);
  expect(data.consents).toEqual([expect.objectContaining({ app: appName, scopes: expect.arrayContaining(['openid', 'email', 'offline_access']) })]);
  expect(data.connectedApps).toEqual([expect.objectContaining({ app: appName, revokedAt: null })]);
  expect(data.auditEvents.map((event: { type: string }) => event.type)).toEqual(expect.arrayContaining(['user.created', 'auth.sign_in', 'consent.granted']));
  expect(text).not.toContain('$argon2');
  expect(text).not.toContain(issued.refresh_token);

  // Deleting with a sign-in older than 10 minutes goes through "Confirm it's you" first.
  await ageSessions(testInfo, account.email, 11);
  const danger = page.getByRole('form', { name: 'Delete account' });
  await danger.getByLabel('Type your email address to confirm').fill('someone-else@example.test');
  await danger.getByRole('button', { name: 'Delete my account' }).click();
  await expect(danger.getByText('That is not the email address of this account. Type it exactly as shown.')).toBeVisible();
  await danger.getByLabel('Type your email address to confirm').fill(account.email);
  await Promise.all([page.waitForURL(/\/sign-in\?reauth=1&next=\/account$/), danger.getByRole('button', { name: 'Delete my account' }).click()]);
  await signInPage.fill(account);
  await Promise.all([page.waitForURL(/\/account$/), signInPage.submit()]);

  await danger.getByLabel('Type your email address to confirm').fill(account.email);
  await Promise.all([page.waitForURL('/account/deleted'), danger.getByRole('button', { name: 'Delete my account' }).click()]);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your account is deleted');
  const cookies = await page.context().cookies();
  expect(cookies.find((cookie) => cookie.name.includes('optare_session'))).toBeUndefined();

  // The account is gone: signing in fails like any wrong password, and the app's refresh token is dead.
  await signInPage.goto();
  await signInPage.fill(account);
  expect(await signInPage.submitAndWaitForResponse()).toBe(401);
  await expect(page.getByText(MESSAGES.invalidCredentials)).toBeVisible();
  const refreshed = await tokenRequest({ grant_type: 'refresh_token', refresh_token: issued.refresh_token });
  expect(refreshed.status).toBe(400);
  expect(((await refreshed.json()) as { error: string }).error).toBe('invalid_grant');
});
