import { createHash, randomBytes } from 'node:crypto';
import type { APIRequestContext } from '@playwright/test';
import { createAccount, expect, newAccount, test } from './pages/fixtures';
import { createConsoleAdmin, signInToConsole } from './support/admin-console';
import { optareCli } from './support/optare-cli';

/**
 * Authenticated pages are never stored by the browser or a shared cache (ASVS 14.3.2): every
 * account, consent and admin page answers `Cache-Control: no-store` (with private), so the back
 * button or a shared machine shows nothing of a session that has ended.
 */

async function expectNoStore(request: APIRequestContext, path: string) {
  const response = await request.get(path, { maxRedirects: 0 });
  expect(response.status(), path).toBe(200);
  const cacheControl = response.headers()['cache-control'] ?? '';
  expect(cacheControl, path).toContain('no-store');
  expect(cacheControl, path).not.toMatch(/\bpublic\b|s-maxage|max-age=[1-9]/);
}

test('every account page answers no-store', async ({ request }) => {
  await createAccount(request, newAccount());
  for (const path of ['/account', '/account/security', '/account/sessions', '/account/password', '/account/apps', '/account/activity']) {
    await expectNoStore(request, path);
  }
});

test('the consent page answers no-store', async ({ request }, testInfo) => {
  const redirectUri = 'http://localhost:3999/callback';
  const created = optareCli(testInfo, ['client', 'create', '--name', `Cache Test ${randomBytes(3).toString('hex')}`, '--redirect-uri', redirectUri, '--scope', 'openid profile']);
  await createAccount(request, newAccount());
  const params = new URLSearchParams({
    response_type: 'code',
    client_id: created.clientId as string,
    redirect_uri: redirectUri,
    scope: 'openid profile',
    state: randomBytes(8).toString('base64url'),
    code_challenge: createHash('sha256').update(randomBytes(32).toString('base64url')).digest('base64url'),
    code_challenge_method: 'S256',
  });
  const authorize = await request.get(`/oauth/authorize?${params.toString()}`, { maxRedirects: 0 });
  expect(authorize.status()).toBe(303);
  const consent = new URL(authorize.headers().location!, 'http://localhost');
  expect(consent.pathname).toBe('/consent');
  await expectNoStore(request, `${consent.pathname}${consent.search}`);
});

test('every admin console page answers no-store', async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  const admin = createConsoleAdmin(testInfo);
  await signInToConsole(page, admin);
  for (const path of ['/admin', '/admin/users', '/admin/clients', '/admin/api-keys', '/admin/audit', '/admin/keys', '/admin/settings']) {
    await expectNoStore(page.request, path);
  }
});
