import { expect as baseExpect, type APIRequestContext, type APIResponse } from '@playwright/test';
import { createAccount, expect, newAccount, test } from './pages/fixtures';
import { SignInPage } from './pages/sign-in-page';
import { AuthenticatorApp } from './support/authenticator-app';
import { ageSessions } from './support/database';

/**
 * The account endpoints (/api/account/…) and the sign-in `next` parameter against hostile
 * callers: no session, other sites, malformed and oversized bodies, wrong types, other users'
 * ids, markup and injection strings, a session too old for a sensitive change, and every spelling
 * of an open redirect. Every answer is a clear 4xx in Optare's JSON error shape, never a 5xx.
 */

const ENDPOINTS = [
  '/api/account/totp/start',
  '/api/account/totp/confirm',
  '/api/account/totp/remove',
  '/api/account/passkeys/options',
  '/api/account/passkeys/register',
  '/api/account/passkeys/rename',
  '/api/account/passkeys/delete',
  '/api/account/recovery-codes/regenerate',
  '/api/account/trusted-devices/remove',
] as const;

/** The changes that need a sign-in of the last 10 minutes. */
const SENSITIVE = [
  '/api/account/totp/start',
  '/api/account/totp/confirm',
  '/api/account/totp/remove',
  '/api/account/passkeys/options',
  '/api/account/passkeys/register',
  '/api/account/passkeys/delete',
  '/api/account/recovery-codes/regenerate',
] as const;

const HTML = '<img src=x onerror=alert(1)>';
const HOSTILE_VALUES: unknown[] = [
  null,
  '',
  42,
  true,
  ['a'],
  { $ne: null },
  HTML,
  "' OR 1=1 --",
  '"; DROP TABLE users; --',
  '../../etc/passwd',
  '\u0000\u202E',
  'x'.repeat(10 * 1024),
];

const json = (data: unknown) => ({ data: JSON.stringify(data), headers: { 'content-type': 'application/json' } });

/** A 4xx with Optare's JSON error shape; nothing reflected raw; returns the body. */
async function expectRefusal(response: APIResponse, status?: number): Promise<{ error: string; message: string; redirectTo?: string; fieldErrors?: Record<string, string[]> }> {
  const text = await response.text();
  if (status !== undefined) baseExpect(response.status(), `${response.url()}: ${text}`).toBe(status);
  baseExpect(response.status(), text).toBeGreaterThanOrEqual(400);
  baseExpect(response.status(), text).toBeLessThan(500);
  baseExpect(response.headers()['content-type']).toMatch(/^application\/json/);
  baseExpect(text).not.toContain(HTML);
  baseExpect(text).not.toContain('DROP TABLE');
  const body = JSON.parse(text) as { error: string; message: string };
  baseExpect(typeof body.error).toBe('string');
  baseExpect(typeof body.message).toBe('string');
  return body;
}

/** A signed-in account in this request context (its cookie jar holds the session). */
async function signedIn(request: APIRequestContext) {
  const account = newAccount();
  await createAccount(request, account);
  return account;
}

/** Sets up an authenticator app through the API, as the page would. */
async function enrollTotp(request: APIRequestContext): Promise<{ app: AuthenticatorApp; recoveryCodes: string[] }> {
  const started = await request.post('/api/account/totp/start', json({}));
  expect(started.status()).toBe(200);
  const { secret, qrCode } = (await started.json()) as { secret: string; qrCode: string };
  expect(qrCode).toMatch(/^data:image\/svg\+xml;base64,/);
  expect(started.headers()['cache-control']).toBe('no-store');
  const app = new AuthenticatorApp(secret);
  const confirmed = await request.post('/api/account/totp/confirm', json({ code: await app.nextCode() }));
  expect(confirmed.status()).toBe(200);
  const { recoveryCodes } = (await confirmed.json()) as { recoveryCodes: string[] };
  expect(recoveryCodes).toHaveLength(10);
  return { app, recoveryCodes };
}

/** “Confirm it’s you” through the API: the step-up route, then the authenticator app's next code. */
async function stepUpWith(request: APIRequestContext, app: AuthenticatorApp): Promise<void> {
  const started = await request.get('/sign-in/step-up?next=/account/security', { maxRedirects: 0 });
  expect(started.status()).toBe(303);
  expect(started.headers().location).toContain('/sign-in/second-factor');
  const verified = await request.post('/api/auth/second-factor', json({ method: 'totp', code: await app.nextCode() }));
  expect(verified.status()).toBe(200);
}

test.describe('the account endpoints refuse callers they should not serve', () => {
  for (const endpoint of ENDPOINTS) {
    test(`${endpoint}: 401 without a session, with the way to sign in`, async ({ request }) => {
      const body = await expectRefusal(await request.post(endpoint, json({ id: '00000000-0000-0000-0000-000000000000', code: '123456' })), 401);
      expect(body).toMatchObject({ error: 'not_signed_in', redirectTo: '/sign-in?next=/account/security' });
      // A forged or malformed cookie is no session either.
      const forged = await request.post(endpoint, {
        ...json({}),
        headers: { 'content-type': 'application/json', cookie: `optare_session=${'A'.repeat(43)}` },
      });
      await expectRefusal(forged, 401);
    });
  }

  test('every endpoint: 403 from another site, even with the session cookie', async ({ request }) => {
    await signedIn(request);
    for (const endpoint of ENDPOINTS) {
      const fromOrigin = await request.post(endpoint, { ...json({}), headers: { 'content-type': 'application/json', origin: 'https://evil.example' } });
      expect((await expectRefusal(fromOrigin, 403)).error).toBe('cross_site_request');
      const fromSite = await request.post(endpoint, { ...json({}), headers: { 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' } });
      expect((await expectRefusal(fromSite, 403)).error).toBe('cross_site_request');
      const nullOrigin = await request.post(endpoint, { ...json({}), headers: { 'content-type': 'application/json', origin: 'null' } });
      await expectRefusal(nullOrigin, 403);
    }
  });

  test('every endpoint: missing, malformed and oversized bodies get 400, 413 or 415', async ({ request }) => {
    await signedIn(request);
    for (const endpoint of ENDPOINTS) {
      await expectRefusal(await request.post(endpoint), 415);
      await expectRefusal(await request.post(endpoint, { data: 'code=123456', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415);
      await expectRefusal(await request.post(endpoint, { headers: { 'content-type': 'application/json' } }), 400);
      await expectRefusal(await request.post(endpoint, { data: '{"code":', headers: { 'content-type': 'application/json' } }), 400);
      await expectRefusal(await request.post(endpoint, { data: '[1,2,3]', headers: { 'content-type': 'application/json' } }), 400);
      await expectRefusal(await request.post(endpoint, { data: 'null', headers: { 'content-type': 'application/json' } }), 400);
      await expectRefusal(await request.post(endpoint, { data: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), headers: { 'content-type': 'application/json' } }), 400);
      await expectRefusal(await request.post(endpoint, json({ code: 'x'.repeat(17 * 1024) })), 413);
    }
  });
});

test.describe('the account endpoints refuse hostile values with a clear 4xx', () => {
  test('authenticator app: wrong types, markup and huge codes are invalid_code; nothing is turned on', async ({ request }) => {
    await signedIn(request);
    // Nothing started yet: a well-formed code has nothing to confirm.
    expect((await expectRefusal(await request.post('/api/account/totp/confirm', json({ code: '123456' })), 409)).error).toBe('no_enrollment');
    expect((await expectRefusal(await request.post('/api/account/totp/remove', json({})), 404)).error).toBe('not_found');
    expect((await request.post('/api/account/totp/start', json({}))).status()).toBe(200);
    for (const code of [undefined, ...HOSTILE_VALUES, '12345', '1234567', 123456]) {
      const body = await expectRefusal(await request.post('/api/account/totp/confirm', json({ code })), 400);
      expect(body.error).toBe('invalid_code');
      expect(body.fieldErrors?.code).toEqual([body.message]);
    }
    // Still not on: recovery codes cannot be made without a factor.
    expect((await expectRefusal(await request.post('/api/account/recovery-codes/regenerate', json({})), 409)).error).toBe('no_second_factor');
  });

  test('authenticator app: starting again while one is on is refused', async ({ request }) => {
    await signedIn(request);
    const { app } = await enrollTotp(request);
    // The password-only session cannot change a way in now that the user has a second factor.
    expect((await expectRefusal(await request.post('/api/account/totp/start', json({})), 403)).error).toBe('reauthentication_required');
    await stepUpWith(request, app);
    expect((await expectRefusal(await request.post('/api/account/totp/start', json({})), 409)).error).toBe('already_enrolled');
  });

  test('passkey registration: malformed, replayed and tampered answers are refused, never a 500', async ({ request }) => {
    await signedIn(request);
    const responses: unknown[] = [
      undefined,
      ...HOSTILE_VALUES,
      { id: HTML, rawId: HTML, type: 'public-key', response: { clientDataJSON: HTML, attestationObject: HTML } },
      { id: 'AAAA', rawId: 'AAAA', type: 'public-key', response: { clientDataJSON: 'e30', attestationObject: 'oA' }, clientExtensionResults: {} },
      { id: 'AAAA', rawId: 'AAAA', type: 'public-key', response: { clientDataJSON: 'x'.repeat(12_000), attestationObject: 'oA' } },
    ];
    for (const response of responses) {
      // With a live ceremony (a fresh one each time), and without any.
      expect((await request.post('/api/account/passkeys/options', json({}))).status()).toBe(200);
      const body = await expectRefusal(await request.post('/api/account/passkeys/register', json({ response, nickname: 'Key' })), 400);
      expect(body.error).toBe('passkey_refused');
      await expectRefusal(await request.post('/api/account/passkeys/register', json({ response, nickname: 'Key' })), 400);
    }
    // A hostile nickname is a field error, whatever the answer.
    expect((await request.post('/api/account/passkeys/options', json({}))).status()).toBe(200);
    for (const nickname of [42, ['a'], { a: 1 }, 'Evil\u202Egnp.exe', 'zero\u200Bwidth', 'x'.repeat(65), '\u0007bell']) {
      const body = await expectRefusal(await request.post('/api/account/passkeys/register', json({ response: {}, nickname })), 400);
      expect(body).toMatchObject({ error: 'invalid_nickname', fieldErrors: { nickname: [body.message] } });
    }
  });

  test('passkey rename and delete, and forgetting a browser: malformed and hostile ids are not_found', async ({ request }) => {
    await signedIn(request);
    for (const id of [undefined, ...HOSTILE_VALUES, '00000000-0000-0000-0000-000000000000', 'ZZZZZZZZ-0000-0000-0000-000000000000']) {
      for (const endpoint of ['/api/account/passkeys/delete', '/api/account/trusted-devices/remove']) {
        expect((await expectRefusal(await request.post(endpoint, json({ id })), 404)).error).toBe('not_found');
      }
      expect((await expectRefusal(await request.post('/api/account/passkeys/rename', json({ id, nickname: 'Mine' })), 404)).error).toBe('not_found');
      // A hostile id as the nickname too: refused either way (the name is checked first; twice 10 kB is over the body limit).
      const both = await expectRefusal(await request.post('/api/account/passkeys/rename', json({ id, nickname: id })));
      expect(['not_found', 'invalid_nickname', 'payload_too_large']).toContain(both.error);
    }
    // (Other users' passkeys and browsers: tests/integration/mfa-enrollment.test.ts.)
  });
});

test.describe('sensitive changes need a fresh sign-in', () => {
  test('a session older than 10 minutes gets 403 reauthentication_required, pointing at “Confirm it’s you”', async ({ request }, testInfo) => {
    test.setTimeout(120_000);
    const account = await signedIn(request);
    const { app } = await enrollTotp(request);
    await ageSessions(testInfo, account.email, 11);
    for (const endpoint of SENSITIVE) {
      const body = await expectRefusal(await request.post(endpoint, json({ code: '123456', id: '00000000-0000-0000-0000-000000000000', response: {} })), 403);
      expect(body).toMatchObject({ error: 'reauthentication_required', redirectTo: '/sign-in/step-up?next=/account/security' });
    }
    // Renaming a passkey and forgetting a browser grant nothing and need no fresh sign-in.
    await expectRefusal(await request.post('/api/account/passkeys/rename', json({ id: '00000000-0000-0000-0000-000000000000', nickname: 'x' })), 404);
    await expectRefusal(await request.post('/api/account/trusted-devices/remove', json({ id: '00000000-0000-0000-0000-000000000000' })), 404);

    // Signing in again (password, then the app) makes it fresh, and comes back to the page.
    const signIn = await request.post('/api/auth/sign-in', json({ email: account.email, password: account.password, next: '/account/security' }));
    expect(await signIn.json()).toEqual({ redirectTo: '/sign-in/second-factor?next=%2Faccount%2Fsecurity' });
    const secondStep = await request.post('/api/auth/second-factor', json({ method: 'totp', code: await app.nextCode(), next: '/account/security' }));
    expect(await secondStep.json()).toEqual({ redirectTo: '/account/security' });
    const removed = await request.post('/api/account/totp/remove', json({}));
    expect(removed.status()).toBe(200);
    expect(await removed.json()).toEqual({ recoveryCodesRemoved: true });
  });
});

test.describe('the sign-in `next` parameter never leads off the account area (open redirect)', () => {
  const HOSTILE_NEXT: unknown[] = [
    '//evil.example',
    '//evil.example/account',
    '/\\evil.example',
    '\\\\evil.example',
    'https://evil.example',
    'https://evil.example/account/security',
    'javascript:alert(1)',
    '/account/../x',
    '/account/%2e%2e/x',
    '/account%2f..%2fx',
    '/%2f%2fevil.example',
    '/account@evil.example',
    '/account/security?then=https://evil.example',
    '/oauth/authorize',
    '/accounts',
    '',
    42,
    ['/account'],
    { path: '/account' },
  ];

  test('the sign-in API answers home for every hostile `next`, and the path for /account/…', async ({ request }) => {
    const account = newAccount();
    await createAccount(request, account);
    for (const next of HOSTILE_NEXT) {
      const response = await request.post('/api/auth/sign-in', json({ email: account.email, password: account.password, next }));
      expect(response.status(), JSON.stringify(next)).toBe(200);
      expect(await response.json(), JSON.stringify(next)).toEqual({ redirectTo: '/' });
    }
    for (const next of ['/account', '/account/security']) {
      const response = await request.post('/api/auth/sign-in', json({ email: account.email, password: account.password, next }));
      expect(await response.json()).toEqual({ redirectTo: next });
    }
  });

  test('with a second factor, `next` is carried through the second step only when it is safe', async ({ request }) => {
    test.setTimeout(120_000);
    const account = await signedIn(request);
    const { app } = await enrollTotp(request);
    for (const next of HOSTILE_NEXT) {
      const response = await request.post('/api/auth/sign-in', json({ email: account.email, password: account.password, next }));
      expect(await response.json(), JSON.stringify(next)).toEqual({ redirectTo: '/sign-in/second-factor' });
    }
    const safe = await request.post('/api/auth/sign-in', json({ email: account.email, password: account.password, next: '/account/security' }));
    expect(await safe.json()).toEqual({ redirectTo: '/sign-in/second-factor?next=%2Faccount%2Fsecurity' });
    // The second step checks `next` itself: a hostile one sent there goes home.
    const done = await request.post('/api/auth/second-factor', json({ method: 'totp', code: await app.nextCode(), next: '//evil.example' }));
    expect(done.status()).toBe(200);
    expect(await done.json()).toEqual({ redirectTo: '/' });
    const again = await request.post('/api/auth/sign-in', json({ email: account.email, password: account.password, next: '/account/security' }));
    expect(again.status()).toBe(200);
    const back = await request.post('/api/auth/second-factor', json({ method: 'totp', code: await app.nextCode(), next: '/account/security' }));
    expect(await back.json()).toEqual({ redirectTo: '/account/security' });
  });

  for (const next of ['//evil.example', '/\\evil.example', 'https://evil.example', '/account/../x', '/account/%2e%2e/x']) {
    test(`the sign-in page with next=${next} signs in and goes home`, async ({ page, request, homePage }) => {
      const account = newAccount();
      await createAccount(request, account);
      const signInPage = new SignInPage(page);
      await signInPage.goto(`?next=${encodeURIComponent(next)}`);
      await signInPage.signIn(account);
      await homePage.expectSignedInAs(account);
    });
  }

  test('the sign-in page with next=/account/security returns there; /account/security without a session sends to it', async ({ page, request }) => {
    const account = newAccount();
    await createAccount(request, account);
    await page.goto('/account/security');
    await expect(page).toHaveURL('/sign-in?next=/account/security');
    const signInPage = new SignInPage(page);
    await expect(signInPage.submitButton).toBeEnabled();
    await signInPage.fill(account);
    await Promise.all([page.waitForURL('/account/security'), signInPage.submit()]);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Two-step verification and passkeys');
  });
});
