import { describe, expect, it } from 'vitest';
import { crossSiteRefusal, jsonError, jsonOk } from './responses';
import { auditContextFrom } from './audit-context';

describe('jsonError / jsonOk', () => {
  it('gives the one error shape, uncached, with field errors only when present', async () => {
    const plain = jsonError(401, 'invalid_credentials', 'Incorrect email or password.');
    expect(plain.status).toBe(401);
    expect(plain.headers.get('cache-control')).toBe('no-store');
    expect(plain.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await plain.json()).toEqual({ error: 'invalid_credentials', message: 'Incorrect email or password.' });

    const withFields = jsonError(400, 'invalid_request', 'Fix it.', { email: ['Enter your email address.'] });
    expect(await withFields.json()).toEqual({ error: 'invalid_request', message: 'Fix it.', fieldErrors: { email: ['Enter your email address.'] } });
  });

  it('serialises success bodies uncached with the given status', async () => {
    const response = jsonOk({ a: 1 }, 201);
    expect(response.status).toBe(201);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({ a: 1 });
  });
});

describe('crossSiteRefusal', () => {
  const post = (headers: Record<string, string>) =>
    new Request('http://localhost:3000/api/auth/sign-in', { method: 'POST', headers: { host: 'localhost:3000', ...headers } });

  it('answers 403 cross_site_request to a write from another origin', async () => {
    const refused = crossSiteRefusal(post({ origin: 'https://evil.example' }), 'http://localhost:3000');
    expect(refused?.status).toBe(403);
    expect(await refused?.json()).toMatchObject({ error: 'cross_site_request' });
    expect(crossSiteRefusal(post({ 'sec-fetch-site': 'cross-site' }), 'http://localhost:3000')?.status).toBe(403);
  });

  it('lets same-origin and header-less writes through', () => {
    expect(crossSiteRefusal(post({ origin: 'http://localhost:3000' }), 'http://localhost:3000')).toBeNull();
    expect(crossSiteRefusal(post({}), 'http://localhost:3000')).toBeNull();
  });
});

describe('auditContextFrom', () => {
  it('reads the server-stamped headers and caps the user agent', () => {
    const headers = new Headers({ 'x-optare-client-ip': '10.0.0.1', 'x-request-id': 'rid', 'user-agent': 'u'.repeat(600) });
    const context = auditContextFrom(headers);
    expect(context).toMatchObject({ ip: '10.0.0.1', requestId: 'rid' });
    expect(context.userAgent).toHaveLength(512);
    expect(auditContextFrom(new Headers())).toEqual({ ip: null, userAgent: null, requestId: null });
  });
});
