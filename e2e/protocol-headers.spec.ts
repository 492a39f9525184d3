import { expect, test, type APIResponse } from '@playwright/test';
import pg from 'pg';
import { POSTGRES_PORT } from '../playwright.config';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DAY_MS = 86_400_000;

/** What proxy.ts puts on every response. */
function expectSecurityHeaders(response: APIResponse, label: string) {
  const headers = response.headers();
  expect(headers['x-request-id'], label).toMatch(UUID);
  expect(headers['x-powered-by'], label).toBeUndefined();
  expect(headers['x-content-type-options'], label).toBe('nosniff');
  expect(headers['x-frame-options'], label).toBe('DENY');
  expect(headers['referrer-policy'], label).toBe('same-origin');
  expect(headers['cross-origin-opener-policy'], label).toBe('same-origin');
  expect(headers['content-security-policy'], label).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
  expect(headers['content-security-policy'], label).toContain("frame-ancestors 'none'");
}

test.describe('health endpoints', () => {
  test('GET /healthz is exactly {status: ok}, uncached', async ({ request }) => {
    const response = await request.get('/healthz');
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toMatch(/^application\/json/);
    expect(response.headers()['cache-control']).toBe('no-store');
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  test('GET /readyz reports the database and migrations and nothing else, uncached @postgres', async ({ request }) => {
    const response = await request.get('/readyz');
    expect(response.status()).toBe(200);
    expect(response.headers()['cache-control']).toBe('no-store');
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ status: 'ready', database: 'ok', migrations: 'applied' });
    for (const secret of ['postgres', 'socket', '/tmp', 'password', 'key', 'version']) expect(text.toLowerCase()).not.toContain(secret);
  });
});

test.describe('/.well-known/security.txt', () => {
  test('is an RFC 9116 file: contact, an expiry under a year away, the canonical URL, the language', async ({ request, baseURL }) => {
    const response = await request.get('/.well-known/security.txt');
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toBe('text/plain; charset=utf-8');
    expect(response.headers()['cache-control']).toMatch(/max-age=86400/);
    expectSecurityHeaders(response, 'security.txt');

    const text = await response.text();
    const lines = text.trimEnd().split('\n');
    const fields = new Map(
      lines.map((line) => {
        const match = /^([A-Za-z-]+): (\S.*)$/.exec(line);
        expect(match, `line ${JSON.stringify(line)}`).not.toBeNull();
        return [match![1]!, match![2]!] as const;
      }),
    );
    expect([...fields.keys()].sort()).toEqual(['Canonical', 'Contact', 'Expires', 'Preferred-Languages']);
    expect(fields.get('Contact')).toBe('mailto:security@optare.one');
    expect(fields.get('Canonical')).toBe(`${baseURL}/.well-known/security.txt`);
    expect(fields.get('Preferred-Languages')).toBe('en');

    const expires = fields.get('Expires')!;
    expect(expires).toMatch(/^\d{4}-\d{2}-\d{2}T00:00:00Z$/);
    const ahead = Date.parse(expires) - Date.now();
    expect(ahead).toBeGreaterThan(30 * DAY_MS);
    expect(ahead).toBeLessThan(365 * DAY_MS);
  });
});

test.describe('headers on every response', () => {
  test('pages, API answers, errors, redirects and static files carry a request id and the security headers, and no X-Powered-By', async ({
    request,
  }) => {
    const home = await request.get('/');
    const html = await home.text();
    const asset = /\/_next\/static\/[^"'\s]+\.(?:js|css)/.exec(html)?.[0];
    expect(asset, 'the home page links a static asset').toBeTruthy();

    const responses: Array<[string, APIResponse]> = [
      ['GET /', home],
      ['GET /sign-in', await request.get('/sign-in')],
      ['GET static asset', await request.get(asset!)],
      ['GET unknown page', await request.get('/no-such-page')],
      ['GET POST-only route', await request.get('/api/auth/sign-up')],
      ['POST invalid sign-up', await request.post('/api/auth/sign-up', { data: {} })],
      ['POST cross-site', await request.post('/api/auth/sign-up', { data: {}, headers: { origin: 'https://evil.example' } })],
      ['POST sign-out redirect', await request.post('/sign-out', { maxRedirects: 0 })],
    ];
    const ids = new Set<string>();
    for (const [label, response] of responses) {
      expect(response.status(), label).toBeLessThan(500);
      expectSecurityHeaders(response, label);
      ids.add(response.headers()['x-request-id']!);
    }
    expect(ids.size).toBe(responses.length);
    expect(responses.find(([label]) => label === 'GET unknown page')![1].status()).toBe(404);
  });

  test('each response gets a fresh CSP nonce', async ({ request }) => {
    const nonce = async () => /'nonce-([^']+)'/.exec((await request.get('/')).headers()['content-security-policy'] ?? '')?.[1];
    const [a, b] = [await nonce(), await nonce()];
    expect(a).toBeTruthy();
    expect(a).not.toBe(b);
  });

  test('a client-sent X-Request-Id is replaced by the server', async ({ request }) => {
    const response = await request.get('/healthz', { headers: { 'x-request-id': 'forged-request-id' } });
    expect(response.headers()['x-request-id']).toMatch(UUID);
  });

  test('forged x-middleware-subrequest headers do not skip the proxy (CVE-2025-29927)', async ({ request }) => {
    for (const value of ['proxy:proxy:proxy:proxy:proxy', 'middleware:middleware:middleware:middleware:middleware', 'src/proxy:src/proxy:src/proxy:src/proxy:src/proxy']) {
      const page = await request.get('/', { headers: { 'x-middleware-subrequest': value } });
      expect(page.status()).toBe(200);
      expectSecurityHeaders(page, value);
      const crossSite = await request.post('/api/auth/sign-up', {
        data: { email: 'x@example.com', name: 'X', password: 'CorrectHorse-Battery-9' },
        headers: { 'x-middleware-subrequest': value, origin: 'https://evil.example' },
      });
      expect(crossSite.status()).toBe(403);
      expectSecurityHeaders(crossSite, `${value} cross-site`);
    }
  });

  test('a forged x-optare-client-ip header still gets the security headers', async ({ request }) => {
    const response = await request.get('/', { headers: { 'x-optare-client-ip': '203.0.113.66', 'x-optare-anything': '1' } });
    expect(response.status()).toBe(200);
    expectSecurityHeaders(response, 'forged client ip');
  });
});

// The audit trail is only reachable from a test on PostgreSQL; the embedded database belongs to
// its server process alone.
if (process.env.E2E_DATABASE_URL) {
  const databaseUrl = process.env.E2E_DATABASE_URL;
  test.describe('on PostgreSQL', () => {
    test('the audit trail records the socket address, not a forged x-optare-client-ip', async ({ playwright }) => {
      const api = await playwright.request.newContext({ baseURL: `http://localhost:${POSTGRES_PORT}` });
      const email = `forged-ip-${crypto.randomUUID().slice(0, 8)}@example.com`;
      const response = await api.post('/api/auth/sign-in', {
        data: { email, password: 'CorrectHorse-Battery-9' },
        headers: { 'x-optare-client-ip': '203.0.113.66' },
      });
      expect(response.status()).toBe(401);
      const requestId = response.headers()['x-request-id'];
      await api.dispose();

      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        const { rows } = await client.query<{ ip: string | null; request_id: string | null }>(
          'SELECT ip, request_id FROM audit_events WHERE subject = $1',
          [email],
        );
        expect(rows).toHaveLength(1);
        expect(rows[0]!.ip).not.toBe('203.0.113.66');
        expect(rows[0]!.ip).toMatch(/^(127\.0\.0\.1|::1)$/);
        expect(rows[0]!.request_id).toBe(requestId);
      } finally {
        await client.end();
      }
    });
  });
}

test.describe('spoofed host headers', () => {
  test('Host, X-Forwarded-Host and X-Forwarded-Proto never change the issuer or any endpoint URL', async ({ request, baseURL }) => {
    const spoofs: Record<string, string>[] = [
      { host: 'evil.example' },
      { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' },
      { forwarded: 'host=evil.example;proto=https' },
    ];
    for (const headers of spoofs) {
      for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']) {
        const response = await request.get(path, { headers });
        expect(response.status(), `${path} ${JSON.stringify(headers)}`).toBe(200);
        const document = (await response.json()) as Record<string, unknown>;
        expect(document.issuer).toBe(baseURL);
        for (const [name, value] of Object.entries(document)) {
          if (typeof value === 'string' && /^https?:/.test(value)) expect(value, name).toMatch(new RegExp(`^${baseURL}(/|$)`));
        }
      }
      const jwks = await request.get('/oauth/jwks', { headers });
      expect(JSON.stringify(await jwks.json())).not.toContain('evil.example');
    }
  });
});
