import type { APIRequestContext, APIResponse } from '@playwright/test';
import { expect, test } from './pages/fixtures';

/** The CSP as a map from directive name to its sources. */
function parseCsp(header: string): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  for (const part of header.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) directives.set(name.toLowerCase(), sources);
  }
  return directives;
}

function nonceOf(response: APIResponse): string {
  const csp = response.headers()['content-security-policy'] ?? '';
  const match = /'nonce-([A-Za-z0-9+/=]+)'/.exec(csp);
  expect(match, `no nonce in ${csp}`).not.toBeNull();
  return match![1]!;
}

/** A script that Next.js built, found in the sign-in page's HTML. */
async function staticAssetPath(request: APIRequestContext): Promise<string> {
  const html = await (await request.get('/sign-in')).text();
  const match = /\/_next\/static\/[^"'?\s]+\.js/.exec(html);
  expect(match, 'no /_next/static script in the sign-in page').not.toBeNull();
  return match![0];
}

function expectSecurityHeaders(response: APIResponse, what: string): void {
  const headers = response.headers();
  const csp = headers['content-security-policy'];
  expect(csp, `${what}: Content-Security-Policy`).toBeTruthy();
  const directives = parseCsp(csp!);
  const scriptSrc = directives.get('script-src') ?? [];
  expect(scriptSrc.some((source) => /^'nonce-[A-Za-z0-9+/=]{16,}'$/.test(source)), `${what}: script-src nonce`).toBe(true);
  expect(scriptSrc, `${what}: script-src`).toContain("'strict-dynamic'");
  expect(scriptSrc, `${what}: script-src`).not.toContain("'unsafe-inline'");
  expect(scriptSrc, `${what}: script-src`).not.toContain("'unsafe-eval'");
  expect(directives.get('style-src') ?? [], `${what}: style-src`).not.toContain("'unsafe-inline'");
  expect(directives.get('default-src'), `${what}: default-src`).toEqual(["'self'"]);
  expect(directives.get('object-src'), `${what}: object-src`).toEqual(["'none'"]);
  expect(directives.get('base-uri'), `${what}: base-uri`).toEqual(["'none'"]);
  expect(directives.get('frame-ancestors'), `${what}: frame-ancestors`).toEqual(["'none'"]);
  expect(directives.has('upgrade-insecure-requests'), `${what}: upgrade-insecure-requests on plain HTTP`).toBe(false);

  expect(headers['x-frame-options'], `${what}: X-Frame-Options`).toBe('DENY');
  expect(headers['x-content-type-options'], `${what}: X-Content-Type-Options`).toBe('nosniff');
  expect(headers['referrer-policy'], `${what}: Referrer-Policy`).toMatch(/^(no-referrer|same-origin|strict-origin|strict-origin-when-cross-origin)$/);
  expect(headers['permissions-policy'], `${what}: Permissions-Policy`).toMatch(/camera=\(\)/);
  expect(headers['permissions-policy'], `${what}: Permissions-Policy`).toMatch(/geolocation=\(\)/);
  expect(headers['cross-origin-opener-policy'], `${what}: Cross-Origin-Opener-Policy`).toBe('same-origin');
  expect(headers['strict-transport-security'], `${what}: no HSTS on plain HTTP`).toBeUndefined();
  expect(headers['x-powered-by'], `${what}: X-Powered-By`).toBeUndefined();
}

test.describe('security headers', () => {
  test('the home page, sign-in, a 404 and a static asset all carry every security header', async ({ request }) => {
    const targets: { path: string; status: number }[] = [
      { path: '/', status: 200 },
      { path: '/sign-in', status: 200 },
      { path: '/sign-up', status: 200 },
      { path: '/no-such-page', status: 404 },
      { path: await staticAssetPath(request), status: 200 },
    ];
    for (const { path, status } of targets) {
      const response = await request.get(path, { maxRedirects: 0 });
      expect(response.status(), path).toBe(status);
      expectSecurityHeaders(response, path);
    }
  });

  test('refused and redirected responses carry them too (sign-out redirect, an API error)', async ({ request }) => {
    const signOut = await request.post('/sign-out', { maxRedirects: 0 });
    expect(signOut.status()).toBe(303);
    expectSecurityHeaders(signOut, 'POST /sign-out');

    const badBody = await request.post('/api/auth/sign-up', { data: 'not json', headers: { 'content-type': 'text/plain' } });
    expect(badBody.status()).toBe(415);
    expectSecurityHeaders(badBody, 'POST /api/auth/sign-up (415)');
  });

  test('the sign-in flow\'s JSON endpoints and the health probes, answered before Next.js, carry the API\'s headers: a CSP that allows nothing', async ({ request }) => {
    const answers: Array<[string, APIResponse]> = [
      ['GET /healthz', await request.get('/healthz')],
      ['GET /readyz', await request.get('/readyz')],
      ['POST /api/auth/sign-in (415)', await request.post('/api/auth/sign-in', { data: 'not json', headers: { 'content-type': 'text/plain' } })],
      ['POST /api/auth/sign-in (401)', await request.post('/api/auth/sign-in', { data: { email: 'nobody@example.com', password: 'wrong password here' } })],
      ['POST /api/auth/sign-in cross-site (403)', await request.post('/api/auth/sign-in', { data: {}, headers: { origin: 'https://evil.example' } })],
      ['POST /consent/decision (400)', await request.post('/consent/decision', { data: { decision: 'maybe' } })],
    ];
    for (const [what, response] of answers) {
      if (what.startsWith('GET')) {
        expect(response.status(), what).toBe(200);
      } else {
        expect(response.status(), what).toBeGreaterThanOrEqual(400);
        expect(response.status(), what).toBeLessThan(500);
      }
      const headers = response.headers();
      expect(headers['content-security-policy'], what).toBe("default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
      expect(headers['x-frame-options'], what).toBe('DENY');
      expect(headers['x-content-type-options'], what).toBe('nosniff');
      expect(headers['referrer-policy'], what).toBe('same-origin');
      expect(headers['cross-origin-opener-policy'], what).toBe('same-origin');
      expect(headers['permissions-policy'], what).toMatch(/camera=\(\)/);
      expect(headers['cache-control'], what).toBe('no-store');
      expect(headers['x-powered-by'], what).toBeUndefined();
    }
  });

  test('the nonce is fresh on every request and is the one on every script of the page', async ({ request }) => {
    const first = await request.get('/sign-in');
    const second = await request.get('/sign-in');
    const nonce = nonceOf(first);
    expect(nonceOf(second)).not.toBe(nonce);
    expect(Buffer.from(nonce, 'base64').length).toBeGreaterThanOrEqual(16);

    const html = await first.text();
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
  });

  test('the pages are our own: a real 404 without inline styles, and no style attributes anywhere', async ({ request }) => {
    const notFound = await request.get('/no-such-page');
    expect(notFound.status()).toBe(404);
    const body = await notFound.text();
    expect(body).toContain('Page not found');

    for (const path of ['/', '/sign-in', '/sign-in?signed_out=1', '/sign-up', '/no-such-page']) {
      const html = await (await request.get(path)).text();
      expect(html, `${path} has a style attribute`).not.toMatch(/<[a-z][^>]*\sstyle=/i);
      expect(html, `${path} has a <style> without the nonce`).not.toMatch(/<style(?![^>]*\snonce=)[^>]*>/i);
      expect(html, `${path} loads something from another origin`).not.toMatch(/\s(?:src|href)="(?:https?:)?\/\/(?!localhost[:/])/i);
    }
  });
});
