import type { AddressInfo } from 'node:net';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedirectServer, httpsRedirectLocation } from './http-redirect';

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

  it('answers every method with 308 to the issuer, ignoring the Host header, with no HSTS', async () => {
    for (const method of ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS']) {
      const response = await request(method, '/oauth/token?x=1', { host: 'evil.example' });
      expect(response.status, method).toBe(308);
      expect(response.headers.location, method).toBe('https://id.example.com:8443/oauth/token?x=1');
      expect(response.headers['strict-transport-security'], method).toBeUndefined();
      expect(response.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(response.body).toBe('Optare is served over HTTPS: https://id.example.com:8443/oauth/token?x=1\n');
    }
  });

  it('sends no body to a HEAD request', async () => {
    const response = await request('HEAD', '/');
    expect(response.status).toBe(308);
    expect(response.body).toBe('');
  });
});
