import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIRequestContext } from '@playwright/test';
import { createAccount, expect, newAccount, test, type Account } from './pages/fixtures';

/**
 * Login CSRF and cross-site form posts: every state-changing endpoint a browser can be made to
 * post to from another site (sign-in, sign-up, sign-out, password change, consent decision,
 * account deletion; Optare has no server actions) refuses the post with 403 and does nothing.
 * First with forged headers from Playwright's request client, then from a real page on another
 * site (127.0.0.1 on another port, cross-site to localhost) auto-submitting forms in Chromium.
 */

const EVIL_ORIGIN = 'https://evil.example';

const CROSS_SITE_HEADERS: Array<[string, Record<string, string>]> = [
  ['another origin', { origin: EVIL_ORIGIN, 'sec-fetch-site': 'cross-site' }],
  ['an opaque origin', { origin: 'null', 'sec-fetch-site': 'cross-site' }],
  ['no Origin, Sec-Fetch-Site cross-site', { 'sec-fetch-site': 'cross-site' }],
  ['a same-site sibling', { origin: 'http://evil.localhost:3190', 'sec-fetch-site': 'same-site' }],
  ['another origin with x-middleware-subrequest', { origin: EVIL_ORIGIN, 'sec-fetch-site': 'cross-site', 'x-middleware-subrequest': 'middleware:middleware:middleware:middleware:middleware' }],
];

/** The three encodings an HTML form can send, plus JSON smuggled as text/plain. */
function encodings(fields: Record<string, string>): Array<[string, { form?: Record<string, string>; multipart?: Record<string, string>; data?: string; headers?: Record<string, string> }]> {
  return [
    ['urlencoded', { form: fields }],
    ['multipart', { multipart: fields }],
    ['text/plain JSON', { data: JSON.stringify(fields), headers: { 'content-type': 'text/plain' } }],
    ['application/json', { data: JSON.stringify(fields), headers: { 'content-type': 'application/json' } }],
  ];
}

async function expectRefusedCrossSite(request: APIRequestContext, path: string, fields: Record<string, string>) {
  for (const [who, headers] of CROSS_SITE_HEADERS) {
    for (const [encoding, body] of encodings(fields)) {
      const response = await request.post(path, { ...body, headers: { ...body.headers, ...headers }, maxRedirects: 0 });
      const where = `${path} from ${who} as ${encoding}`;
      expect(response.status(), where).toBe(403);
      expect((await response.json()).error, where).toBe('cross_site_request');
      expect(response.headers()['set-cookie'] ?? '', `${where} sets a cookie`).toBe('');
    }
  }
}

async function signedIn(request: APIRequestContext): Promise<boolean> {
  const response = await request.get('/account', { maxRedirects: 0 });
  return response.status() === 200;
}

async function signInSameOrigin(request: APIRequestContext, account: Account, baseURL: string) {
  const response = await request.post('/api/auth/sign-in', { data: { email: account.email, password: account.password }, headers: { origin: baseURL } });
  expect(response.status(), await response.text()).toBe(200);
}

test.describe('cross-site posts with forged headers', () => {
  test('sign-in from another site is refused and signs nobody in (login CSRF)', async ({ request, playwright, baseURL }) => {
    const attacker = newAccount();
    // Created in a jar of its own: sign-up signs that one in, the victim's stays signed out.
    const attackerJar = await playwright.request.newContext({ baseURL });
    await createAccount(attackerJar, attacker);
    await attackerJar.dispose();
    expect(await signedIn(request)).toBe(false);
    await expectRefusedCrossSite(request, '/api/auth/sign-in', { email: attacker.email, password: attacker.password });
    expect(await signedIn(request)).toBe(false);
  });

  test('sign-up from another site is refused and creates no account', async ({ request, baseURL }) => {
    const account = newAccount();
    await expectRefusedCrossSite(request, '/api/auth/sign-up', { email: account.email, name: account.name, password: account.password });
    // The email is still free: the same sign-up from Optare's own page succeeds.
    const response = await request.post('/api/auth/sign-up', { data: account, headers: { origin: baseURL! } });
    expect(response.status(), await response.text()).toBe(201);
  });

  test('sign-out, password change, account deletion and consent decision from another site are refused and change nothing', async ({ request, baseURL }) => {
    test.setTimeout(120_000);
    const victim = newAccount();
    await createAccount(request, victim);
    await signInSameOrigin(request, victim, baseURL!);
    expect(await signedIn(request)).toBe(true);

    await expectRefusedCrossSite(request, '/api/account/password', { currentPassword: victim.password, newPassword: 'attacker chose this passphrase' });
    await expectRefusedCrossSite(request, '/api/account/delete', { password: victim.password, confirm: victim.email });
    await expectRefusedCrossSite(request, '/consent/decision', { request: 'a'.repeat(43), decision: 'approve' });
    await expectRefusedCrossSite(request, '/sign-out', {});

    // Still signed in, and the password is unchanged.
    expect(await signedIn(request)).toBe(true);
    const again = await request.post('/api/auth/sign-in', { data: { email: victim.email, password: victim.password }, headers: { origin: baseURL! } });
    expect(again.status(), await again.text()).toBe(200);
  });
});

/** A page on another site that submits a form to Optare as soon as it loads. */
function attackerSite(target: string, fields: Record<string, string>) {
  const pages: Record<string, string> = {
    '/urlencoded': form('application/x-www-form-urlencoded', fields),
    '/multipart': form('multipart/form-data', fields),
    // The classic trick: a text/plain form whose one field spells out a JSON body.
    '/text-plain': `<form method="post" action="${target}" enctype="text/plain"><input name='${JSON.stringify(fields).slice(0, -1)},"x":"' value='"}'></form><script>document.forms[0].submit()</script>`,
  };
  function form(enctype: string, values: Record<string, string>) {
    const inputs = Object.entries(values)
      .map(([name, value]) => `<input name="${name}" value="${value}">`)
      .join('');
    return `<form method="post" action="${target}" enctype="${enctype}">${inputs}</form><script>document.forms[0].submit()</script>`;
  }
  const server = http.createServer((request, response) => {
    const page = pages[request.url ?? ''];
    response.writeHead(page ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
    response.end(page ?? 'not found');
  });
  return {
    paths: Object.keys(pages),
    listen: () => new Promise<string>((resolve) => server.listen(3191, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`))),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

test('a real page on another site cannot sign the victim’s browser in to the attacker’s account', async ({ browser, request, baseURL }) => {
  // `request` (the attacker's own client) is a jar apart from the victim's browser context.
  test.setTimeout(120_000);
  const attacker = newAccount();
  await createAccount(request, attacker);
  const site = attackerSite(`${baseURL}/api/auth/sign-in`, { email: attacker.email, password: attacker.password });
  const evil = await site.listen();
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    for (const path of site.paths) {
      const posted = page.waitForResponse((response) => response.url() === `${baseURL}/api/auth/sign-in` && response.request().method() === 'POST');
      await page.goto(`${evil}${path}`);
      const response = await posted;
      expect(response.status(), path).toBe(403);
      expect(response.request().headers()['origin'], path).toBe(evil);
      expect((await context.cookies(baseURL)).filter((cookie) => cookie.name.includes('session')), path).toEqual([]);
      const account = await context.request.get(`${baseURL}/account`, { maxRedirects: 0 });
      expect(account.status(), `${path}: the victim's browser is signed in`).not.toBe(200);
    }
  } finally {
    await context.close();
    await site.close();
  }
});
