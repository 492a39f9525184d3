import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as cspReport } from '../../app/csp-report/route';
import { cspViolationsOf, REPORT_BODY_LIMIT, urlWithoutQuery } from '../../lib/http/csp-report';
import { securityHeaders } from '../../lib/http/security-headers';
import { useTestConfig } from '../support/config';
import { openTestDatabase, type TestDatabase } from '../support/database';

/**
 * The Content-Security-Policy reporting endpoint (ASVS 3.4.7): pages name it in their CSP, and
 * anyone may post to it, so it takes only small reports of the two known shapes, from one
 * address at a limited rate, and keeps no query string of the URLs they name.
 */

const ISSUER = 'https://id.example.com';
let database: TestDatabase;
beforeAll(async () => {
  useTestConfig({ OPTARE_ISSUER: ISSUER, OPTARE_RATE_LIMIT_CSP_REPORT: '5/1m' });
  database = await openTestDatabase();
});
afterAll(() => database.close());

const LEGACY = {
  'csp-report': {
    'document-uri': `${ISSUER}/oauth/authorize?client_id=app&state=secret-state&code_challenge=abc`,
    'violated-directive': 'script-src-elem',
    'effective-directive': 'script-src-elem',
    'blocked-uri': 'inline',
    'source-file': `${ISSUER}/_next/static/chunks/app.js?v=1#x`,
    'line-number': 12,
    disposition: 'enforce',
  },
};
const REPORTING_API = [
  {
    type: 'csp-violation',
    age: 3,
    url: `${ISSUER}/sign-in`,
    body: { documentURL: `${ISSUER}/sign-in?next=%2Faccount`, effectiveDirective: 'img-src', blockedURL: 'https://tracker.example/p.gif?u=ada@example.com', disposition: 'enforce' },
  },
];

function post(body: string | Uint8Array, { type = 'application/csp-report', ip = '198.51.100.30', length }: { type?: string; ip?: string; length?: number } = {}) {
  const headers: Record<string, string> = { 'content-type': type, 'x-optare-client-ip': ip };
  if (length !== undefined) headers['content-length'] = String(length);
  return cspReport(new Request(`${ISSUER}/csp-report`, { method: 'POST', headers, body: body as BodyInit }));
}

describe('CSP violation reports', () => {
  it('every page names the endpoint in its policy (report-uri and report-to) and in Reporting-Endpoints', () => {
    const headers = securityHeaders({ nonce: 'n', https: true });
    expect(headers['Content-Security-Policy']).toMatch(/(^|; )report-uri \/csp-report(;|$)/);
    expect(headers['Content-Security-Policy']).toMatch(/(^|; )report-to csp-endpoint(;|$)/);
    expect(headers['Reporting-Endpoints']).toBe('csp-endpoint="/csp-report"');
  });

  it('accepts both report shapes with 204 and no body', async () => {
    for (const [body, type] of [
      [JSON.stringify(LEGACY), 'application/csp-report'],
      [JSON.stringify(REPORTING_API), 'application/reports+json'],
    ] as const) {
      const response = await post(body, { type, ip: '198.51.100.31' });
      expect(response.status).toBe(204);
      expect(await response.text()).toBe('');
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('keeps only known fields, and no query string or fragment of any URL (a page URL may hold OAuth parameters)', () => {
    expect(cspViolationsOf(LEGACY)).toEqual([
      { directive: 'script-src-elem', blocked: 'inline', document: `${ISSUER}/oauth/authorize`, source: `${ISSUER}/_next/static/chunks/app.js`, line: 12, disposition: 'enforce' },
    ]);
    expect(cspViolationsOf(REPORTING_API)).toEqual([
      { directive: 'img-src', blocked: 'https://tracker.example/p.gif', document: `${ISSUER}/sign-in`, source: null, line: null, disposition: 'enforce' },
    ]);
    expect(urlWithoutQuery('data:text/html,<script>alert(1)</script>')).toBe('data:');
    expect(urlWithoutQuery('javascript:alert(document.cookie)')).toBe('javascript:');
    expect(urlWithoutQuery('<script>')).toBeNull();
    expect(urlWithoutQuery('x'.repeat(5000))).toBeNull();
  });

  it.each([
    ['no content type', '{}', ''],
    ['a form', 'csp-report=1', 'application/x-www-form-urlencoded'],
    ['text/plain (a cross-site form)', JSON.stringify(LEGACY), 'text/plain'],
  ])('refuses %s with 415', async (_what, body, type) => {
    expect((await post(body, { type, ip: '198.51.100.32' })).status).toBe(415);
  });

  it.each([
    ['not JSON', '{"csp-report":'],
    ['invalid UTF-8', new Uint8Array([0x7b, 0xff, 0x7d])],
    ['an empty object', '{}'],
    ['null', 'null'],
    ['a string', '"csp"'],
    ['an array of other reports', JSON.stringify([{ type: 'deprecation', body: {} }])],
    ['a csp-report that is not an object', JSON.stringify({ 'csp-report': 'x' })],
  ])('refuses %s with 400 invalid_report', async (what, body) => {
    const response = await post(body, { ip: `198.51.100.${40 + what.length}` });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_report' });
  });

  it(`refuses a body over ${REPORT_BODY_LIMIT} bytes with 413, declared or not`, async () => {
    const big = JSON.stringify({ 'csp-report': { 'blocked-uri': 'x'.repeat(REPORT_BODY_LIMIT) } });
    expect((await post(big, { ip: '198.51.100.34', length: big.length })).status).toBe(413);
    expect((await post(big, { ip: '198.51.100.35' })).status).toBe(413);
  });

  it('answers 429 with Retry-After past the per-address limit; another address is still heard', async () => {
    const statuses = [];
    for (let i = 0; i < 7; i++) statuses.push((await post(JSON.stringify(LEGACY), { ip: '198.51.100.36' })).status);
    expect(statuses.slice(0, 5)).toEqual([204, 204, 204, 204, 204]);
    const refused = await post(JSON.stringify(LEGACY), { ip: '198.51.100.36' });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await post(JSON.stringify(LEGACY), { ip: '198.51.100.37' })).status).toBe(204);
  });
});
