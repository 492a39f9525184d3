import type { AddressInfo } from 'node:net';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedirectServer, httpsRedirectLocation, redirectsToHttps } from './http-redirect';

const ISSUER = 'https://id.example.com:8443';

describe('httpsRedirectLocation', () => {
  it('keeps the path and query, on the issuer origin', () => {
    expect(httpsRedirectLocation(ISSUER, '/sign-in?next=%2Faccount')).toBe('https://id.example.com:8443/sign-in?next=%2Faccount');
    expect(httpsRedirectLocation(ISSUER, '/')).toBe('https://id.example.com:8443/');
    expect(httpsRedirectLocation(ISSUER, undefined)).toBe('https://id.example.com:8443/');
    expect(httpsRedirectLocation('https://id.example.com', '/.well-known/openid-configuration')).toBe(
      'https://id.example.com/.well-known/openid-configuration',
    );
  });

  it('never takes the host from the request (open-redirect attempts stay on the issuer)', () => {
    for (const url of ['//evil.example/x', 'http://evil.example/x', 'https://evil.example:443/x', '/\\evil.example/x']) {
      const location = new URL(httpsRedirectLocation(ISSUER, url));
      expect(location.origin, url).toBe('https://id.example.com:8443');
    }
    expect(httpsRedirectLocation(ISSUER, '//evil.example/x')).toBe('https://id.example.com:8443/x');
  });

  it('uses only the issuer origin, never its path twice', () => {
    expect(httpsRedirectLocation('https://id.example.com/base', '/x')).toBe('https://id.example.com/x');
  });

  it('percent-encodes what a URL may not hold', () => {
    expect(httpsRedirectLocation(ISSUER, '/a b/é?q=<x>')).toBe('https://id.example.com:8443/a%20b/%C3%A9?q=%3Cx%3E');
  });
});

describe('createRedirectServer', () => {
  let server: http.Server;
  let port = 0;
  beforeAll(async () => {
    server = createRedirectServer(ISSUER);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const request = (method: string, path: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end(method === 'POST' ? 'a=1' : undefined);
    });

  it('redirects a browser GET of a page with 308 to the issuer, ignoring the Host header, with no HSTS', async () => {
    for (const path of ['/sign-in?next=%2Faccount', '/oauth/authorize?client_id=a&state=x', '/.well-known/openid-configuration', '/admin']) {
      const response = await request('GET', path, { host: 'evil.example' });
      expect(response.status, path).toBe(308);
      expect(response.headers.location, path).toBe(`https://id.example.com:8443${path}`);
      expect(response.headers['strict-transport-security'], path).toBeUndefined();
      expect(response.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(response.body).toBe(`Optare is served over HTTPS: https://id.example.com:8443${path}\n`);
    }
  });

  it('refuses with 400 and no Location what a program sends: other methods, API and token endpoints (ASVS 4.1.2)', async () => {
    const cases: Array<[string, string]> = [
      ['POST', '/oauth/token'],
      ['POST', '/sign-out'],
      ['PUT', '/api/admin/v1/clients'],
      ['DELETE', '/api/admin/v1/api-keys/x'],
      ['OPTIONS', '/oauth/token'],
      ['GET', '/oauth/userinfo'],
      ['GET', '/oauth/introspect'],
      ['GET', '/api/admin/v1/clients'],
      ['GET', '/api/account/sessions'],
    ];
    for (const [method, path] of cases) {
      const response = await request(method, path, { authorization: 'Bearer opk_leaked' });
      expect(response.status, `${method} ${path}`).toBe(400);
      expect(response.headers.location, `${method} ${path}`).toBeUndefined();
      expect(response.body).toBe(`Optare accepts this request only over HTTPS: send it to https://id.example.com:8443${path}\n`);
    }
  });

  it('tells page navigations from program calls by method and path', () => {
    expect(redirectsToHttps('GET', '/oauth/jwks')).toBe(true);
    expect(redirectsToHttps('HEAD', '/')).toBe(true);
    expect(redirectsToHttps('GET', '/oauth/tokenish')).toBe(true);
    expect(redirectsToHttps('GET', '/oauth/token/')).toBe(false);
    expect(redirectsToHttps('GET', '/api')).toBe(true);
    expect(redirectsToHttps('GET', '/api/x')).toBe(false);
    expect(redirectsToHttps('POST', '/')).toBe(false);
    expect(redirectsToHttps(undefined, '/')).toBe(false);
  });

  it('sends no body to a HEAD request', async () => {
    const response = await request('HEAD', '/');
    expect(response.status).toBe(308);
    expect(response.body).toBe('');
  });
});
